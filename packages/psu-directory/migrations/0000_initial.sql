CREATE TABLE "psu_directory_psus" (
	"psu_id" text PRIMARY KEY NOT NULL,
	"display_name" text NOT NULL,
	"password_hash" text NOT NULL,
	"totp_secret" text NOT NULL,
	"last_totp_step" bigint,
	"failed_attempts" integer DEFAULT 0 NOT NULL,
	"locked_until" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "psu_directory_failed_attempts_check" CHECK ("psu_directory_psus"."failed_attempts" >= 0)
);
