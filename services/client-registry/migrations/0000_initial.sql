CREATE TABLE "client_audit" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "client_audit_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"client_id" text NOT NULL,
	"action" text NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	"actor_organization_id" text NOT NULL,
	"actor_certificate_thumbprint" text NOT NULL,
	"changes" jsonb NOT NULL,
	"version_after" integer NOT NULL,
	CONSTRAINT "client_audit_action_check" CHECK ("client_audit"."action" in ('create', 'replace', 'delete', 'rotate_token'))
);
--> statement-breakpoint
CREATE TABLE "clients" (
	"client_id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"organization_name" text NOT NULL,
	"nca_id" text NOT NULL,
	"roles" text[] NOT NULL,
	"registered_subject_dn" text NOT NULL,
	"registered_certificate_thumbprint" text NOT NULL,
	"redirect_uris" text[] NOT NULL,
	"grant_types" text[] NOT NULL,
	"response_types" text[] NOT NULL,
	"scope" text,
	"token_endpoint_auth_method" text,
	"tls_client_auth_subject_dn" text,
	"client_name" text,
	"client_name_localized" jsonb NOT NULL,
	"contacts" text[] NOT NULL,
	"logo_uri" text,
	"client_uri" text,
	"policy_uri" text,
	"tos_uri" text,
	"jwks" jsonb,
	"jwks_uri" text,
	"software_id" text,
	"software_version" text,
	"status" text NOT NULL,
	"registration_access_token_sha256" text,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	"version" integer NOT NULL,
	CONSTRAINT "clients_status_check" CHECK ("clients"."status" in ('active', 'deleted')),
	CONSTRAINT "clients_version_check" CHECK ("clients"."version" >= 1),
	CONSTRAINT "clients_token_hash_check" CHECK (("clients"."status" = 'active') = ("clients"."registration_access_token_sha256" is not null))
);
--> statement-breakpoint
CREATE INDEX "client_audit_client_idx" ON "client_audit" USING btree ("client_id","id");--> statement-breakpoint
CREATE INDEX "clients_organization_idx" ON "clients" USING btree ("organization_id","created_at","client_id");--> statement-breakpoint
CREATE UNIQUE INDEX "clients_active_software_uidx" ON "clients" USING btree ("organization_id","software_id") WHERE "clients"."status" = 'active' and "clients"."software_id" is not null;