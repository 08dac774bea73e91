-- Expand step: the RFC 7591 metadata moves from one column per field into one jsonb document, keyed as
-- @psd2/client-metadata's schema names the fields, so a new field needs no migration. Existing rows are
-- copied field by field (an absent, NULL field is left out of the document, not stored as null), all in
-- the migrator's one transaction. The old columns stay for this release, kept in step with the document
-- by a trigger, so registry pods of the previous release keep reading and writing during the rollout
-- (deploy/README.md: expand, then contract). The next release drops them and the trigger.
CREATE FUNCTION "client_metadata_from_columns"("row" "clients") RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT coalesce(jsonb_object_agg("field"."key", "field"."value"), '{}'::jsonb)
	FROM jsonb_each(jsonb_build_object(
		'redirectUris', to_jsonb("row"."redirect_uris"),
		'grantTypes', to_jsonb("row"."grant_types"),
		'responseTypes', to_jsonb("row"."response_types"),
		'scope', "row"."scope",
		'tokenEndpointAuthMethod', "row"."token_endpoint_auth_method",
		'tlsClientAuthSubjectDn', "row"."tls_client_auth_subject_dn",
		'clientName', "row"."client_name",
		'clientNameLocalized', "row"."client_name_localized",
		'contacts', to_jsonb("row"."contacts"),
		'logoUri', "row"."logo_uri",
		'clientUri', "row"."client_uri",
		'policyUri', "row"."policy_uri",
		'tosUri', "row"."tos_uri",
		'jwks', "row"."jwks",
		'jwksUri', "row"."jwks_uri",
		'softwareId', "row"."software_id",
		'softwareVersion', "row"."software_version"
	)) AS "field"
	WHERE "field"."value" <> 'null'::jsonb
$$;--> statement-breakpoint
ALTER TABLE "clients" ADD COLUMN "metadata" jsonb;--> statement-breakpoint
UPDATE "clients" SET "metadata" = "client_metadata_from_columns"("clients");--> statement-breakpoint
ALTER TABLE "clients" ALTER COLUMN "metadata" SET NOT NULL;--> statement-breakpoint
CREATE FUNCTION "clients_metadata_in_step"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW."metadata" IS NULL OR (TG_OP = 'UPDATE' AND NEW."metadata" IS NOT DISTINCT FROM OLD."metadata") THEN
		-- Written by the previous release, which knows only the columns.
		NEW."metadata" := "client_metadata_from_columns"(NEW);
	ELSE
		-- Written by this release: the columns follow, for the previous release's readers.
		NEW."redirect_uris" := ARRAY(SELECT jsonb_array_elements_text(coalesce(NEW."metadata" -> 'redirectUris', '[]')));
		NEW."grant_types" := ARRAY(SELECT jsonb_array_elements_text(coalesce(NEW."metadata" -> 'grantTypes', '[]')));
		NEW."response_types" := ARRAY(SELECT jsonb_array_elements_text(coalesce(NEW."metadata" -> 'responseTypes', '[]')));
		NEW."scope" := NEW."metadata" ->> 'scope';
		NEW."token_endpoint_auth_method" := NEW."metadata" ->> 'tokenEndpointAuthMethod';
		NEW."tls_client_auth_subject_dn" := NEW."metadata" ->> 'tlsClientAuthSubjectDn';
		NEW."client_name" := NEW."metadata" ->> 'clientName';
		NEW."client_name_localized" := coalesce(NEW."metadata" -> 'clientNameLocalized', '{}');
		NEW."contacts" := ARRAY(SELECT jsonb_array_elements_text(coalesce(NEW."metadata" -> 'contacts', '[]')));
		NEW."logo_uri" := NEW."metadata" ->> 'logoUri';
		NEW."client_uri" := NEW."metadata" ->> 'clientUri';
		NEW."policy_uri" := NEW."metadata" ->> 'policyUri';
		NEW."tos_uri" := NEW."metadata" ->> 'tosUri';
		NEW."jwks" := NEW."metadata" -> 'jwks';
		NEW."jwks_uri" := NEW."metadata" ->> 'jwksUri';
		NEW."software_id" := NEW."metadata" ->> 'softwareId';
		NEW."software_version" := NEW."metadata" ->> 'softwareVersion';
	END IF;
	RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER "clients_metadata_in_step" BEFORE INSERT OR UPDATE ON "clients"
	FOR EACH ROW EXECUTE FUNCTION "clients_metadata_in_step"();--> statement-breakpoint
DROP INDEX "clients_active_software_uidx";--> statement-breakpoint
CREATE UNIQUE INDEX "clients_active_software_uidx" ON "clients" USING btree ("organization_id",("metadata" ->> 'softwareId')) WHERE "clients"."status" = 'active' and ("clients"."metadata" ->> 'softwareId') is not null;
