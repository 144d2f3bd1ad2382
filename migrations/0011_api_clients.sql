CREATE TABLE "api_clients" (
	"district_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"org_unit_ids" uuid[] NOT NULL,
	"scopes" text[] NOT NULL,
	"legal_basis" text NOT NULL,
	"retention_days" integer NOT NULL,
	"rate_limit_per_minute" integer NOT NULL,
	"secret_hash" text NOT NULL,
	"secret_version" integer DEFAULT 1 NOT NULL,
	"sensitive_fields" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"disabled_at" timestamp with time zone,
	CONSTRAINT "api_clients_district_id_id_pk" PRIMARY KEY("district_id","id"),
	CONSTRAINT "api_clients_retention" CHECK ("api_clients"."retention_days" between 1 and 3650),
	CONSTRAINT "api_clients_rate" CHECK ("api_clients"."rate_limit_per_minute" between 1 and 100000)
);
--> statement-breakpoint
ALTER TABLE "api_clients" ADD CONSTRAINT "api_clients_district_id_districts_id_fk" FOREIGN KEY ("district_id") REFERENCES "public"."districts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_clients" ADD CONSTRAINT "api_clients_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "api_clients_id_idx" ON "api_clients" USING btree ("id");