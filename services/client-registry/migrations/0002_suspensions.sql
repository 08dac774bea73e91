-- Expand step: two new tables (operator suspensions of TPP organisations or roles, and the audit of every
-- operator action); nothing existing changes, so registry pods of the previous release keep working.
CREATE TABLE "operator_actions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "operator_actions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp (3) with time zone NOT NULL,
	"operator_subject" text NOT NULL,
	"operator_certificate_thumbprint" text NOT NULL,
	"action" text NOT NULL,
	"organization_id" text,
	"role" text,
	"client_id" text,
	"grant_id" text,
	"psu_id" text,
	"reason" text NOT NULL,
	"details" jsonb NOT NULL,
	CONSTRAINT "operator_actions_reason_check" CHECK (char_length("operator_actions"."reason") between 1 and 500 and "operator_actions"."reason" !~ '[[:cntrl:]]')
);
--> statement-breakpoint
CREATE TABLE "organisation_suspensions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "organisation_suspensions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"organization_id" text NOT NULL,
	"role" text,
	"suspended_at" timestamp (3) with time zone NOT NULL,
	"suspended_by" text NOT NULL,
	"suspended_by_thumbprint" text NOT NULL,
	"reason" text NOT NULL,
	"reinstated_at" timestamp (3) with time zone,
	"reinstated_by" text,
	"reinstated_by_thumbprint" text,
	"reinstatement_reason" text,
	CONSTRAINT "organisation_suspensions_role_check" CHECK ("organisation_suspensions"."role" is null or "organisation_suspensions"."role" in ('PSP_PI', 'PSP_AI', 'PSP_IC')),
	CONSTRAINT "organisation_suspensions_reinstated_check" CHECK (("organisation_suspensions"."reinstated_at" is null) = ("organisation_suspensions"."reinstated_by" is null) and ("organisation_suspensions"."reinstated_at" is null) = ("organisation_suspensions"."reinstated_by_thumbprint" is null) and ("organisation_suspensions"."reinstated_at" is null) = ("organisation_suspensions"."reinstatement_reason" is null))
);
--> statement-breakpoint
CREATE INDEX "operator_actions_organization_idx" ON "operator_actions" USING btree ("organization_id","id");--> statement-breakpoint
CREATE INDEX "operator_actions_client_idx" ON "operator_actions" USING btree ("client_id","id");--> statement-breakpoint
CREATE INDEX "operator_actions_psu_idx" ON "operator_actions" USING btree ("psu_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "organisation_suspensions_in_force_uidx" ON "organisation_suspensions" USING btree ("organization_id",coalesce("role", '')) WHERE "organisation_suspensions"."reinstated_at" is null;--> statement-breakpoint
CREATE INDEX "organisation_suspensions_organization_idx" ON "organisation_suspensions" USING btree ("organization_id","id");