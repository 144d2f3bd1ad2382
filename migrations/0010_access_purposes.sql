CREATE TABLE "access_purposes" (
	"district_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"purpose" text NOT NULL,
	"reason" text NOT NULL,
	"person_id" uuid,
	"org_unit_id" uuid,
	"status" text NOT NULL,
	"hours" integer NOT NULL,
	"valid_from" timestamp with time zone,
	"valid_until" timestamp with time zone,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"decision_note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone,
	CONSTRAINT "access_purposes_district_id_id_pk" PRIMARY KEY("district_id","id"),
	CONSTRAINT "access_purposes_one_target" CHECK (("access_purposes"."person_id" is null) <> ("access_purposes"."org_unit_id" is null))
);
--> statement-breakpoint
ALTER TABLE "access_purposes" ADD CONSTRAINT "access_purposes_district_id_districts_id_fk" FOREIGN KEY ("district_id") REFERENCES "public"."districts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "access_purposes" ADD CONSTRAINT "access_purposes_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "access_purposes" ADD CONSTRAINT "access_purposes_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "access_purposes" ADD CONSTRAINT "access_purposes_district_id_person_id_persons_district_id_id_fk" FOREIGN KEY ("district_id","person_id") REFERENCES "public"."persons"("district_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "access_purposes" ADD CONSTRAINT "access_purposes_district_id_org_unit_id_org_units_district_id_id_fk" FOREIGN KEY ("district_id","org_unit_id") REFERENCES "public"."org_units"("district_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "access_purposes_user_idx" ON "access_purposes" USING btree ("user_id","status");--> statement-breakpoint
CREATE INDEX "access_purposes_pending_idx" ON "access_purposes" USING btree ("district_id","status");--> statement-breakpoint
CREATE INDEX "access_purposes_id_idx" ON "access_purposes" USING btree ("id");