-- The RFC 7591 metadata moves from one column per field into one jsonb document, keyed as
-- @psd2/client-metadata's schema names the fields, so a new field needs no migration. Existing rows are
-- copied field by field; an absent (NULL) field is left out of the document rather than stored as null.
DROP INDEX "clients_active_software_uidx";--> statement-breakpoint
ALTER TABLE "clients" ADD COLUMN "metadata" jsonb;--> statement-breakpoint
UPDATE "clients" SET "metadata" = (
	SELECT coalesce(jsonb_object_agg("field"."key", "field"."value"), '{}'::jsonb)
	FROM jsonb_each(jsonb_build_object(
		'redirectUris', to_jsonb("redirect_uris"),
		'grantTypes', to_jsonb("grant_types"),
		'responseTypes', to_jsonb("response_types"),
		'scope', "scope",
		'tokenEndpointAuthMethod', "token_endpoint_auth_method",
		'tlsClientAuthSubjectDn', "tls_client_auth_subject_dn",
		'clientName', "client_name",
		'clientNameLocalized', "client_name_localized",
		'contacts', to_jsonb("contacts"),
		'logoUri', "logo_uri",
		'clientUri', "client_uri",
		'policyUri', "policy_uri",
		'tosUri', "tos_uri",
		'jwks', "jwks",
		'jwksUri', "jwks_uri",
		'softwareId', "software_id",
		'softwareVersion', "software_version"
	)) AS "field"
	WHERE "field"."value" <> 'null'::jsonb
);--> statement-breakpoint
ALTER TABLE "clients" ALTER COLUMN "metadata" SET NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "clients_active_software_uidx" ON "clients" USING btree ("organization_id",("metadata" ->> 'softwareId')) WHERE "clients"."status" = 'active' and ("clients"."metadata" ->> 'softwareId') is not null;--> statement-breakpoint
ALTER TABLE "clients" DROP COLUMN "redirect_uris";--> statement-breakpoint
ALTER TABLE "clients" DROP COLUMN "grant_types";--> statement-breakpoint
ALTER TABLE "clients" DROP COLUMN "response_types";--> statement-breakpoint
ALTER TABLE "clients" DROP COLUMN "scope";--> statement-breakpoint
ALTER TABLE "clients" DROP COLUMN "token_endpoint_auth_method";--> statement-breakpoint
ALTER TABLE "clients" DROP COLUMN "tls_client_auth_subject_dn";--> statement-breakpoint
ALTER TABLE "clients" DROP COLUMN "client_name";--> statement-breakpoint
ALTER TABLE "clients" DROP COLUMN "client_name_localized";--> statement-breakpoint
ALTER TABLE "clients" DROP COLUMN "contacts";--> statement-breakpoint
ALTER TABLE "clients" DROP COLUMN "logo_uri";--> statement-breakpoint
ALTER TABLE "clients" DROP COLUMN "client_uri";--> statement-breakpoint
ALTER TABLE "clients" DROP COLUMN "policy_uri";--> statement-breakpoint
ALTER TABLE "clients" DROP COLUMN "tos_uri";--> statement-breakpoint
ALTER TABLE "clients" DROP COLUMN "jwks";--> statement-breakpoint
ALTER TABLE "clients" DROP COLUMN "jwks_uri";--> statement-breakpoint
ALTER TABLE "clients" DROP COLUMN "software_id";--> statement-breakpoint
ALTER TABLE "clients" DROP COLUMN "software_version";