CREATE TABLE "class_memberships" (
	"district_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"enrolment_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"class_id" uuid NOT NULL,
	"academic_year_id" uuid NOT NULL,
	"started_on" date NOT NULL,
	"ended_on" date,
	CONSTRAINT "class_memberships_district_id_id_pk" PRIMARY KEY("district_id","id")
);
--> statement-breakpoint
CREATE TABLE "enrolment_changes" (
	"district_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"enrolment_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"change_type" text NOT NULL,
	"effective_on" date NOT NULL,
	"from_class_id" uuid,
	"to_class_id" uuid,
	"counterpart_school_id" uuid,
	"counterpart_district_id" uuid,
	"reason" text,
	"recorded_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "enrolment_changes_district_id_id_pk" PRIMARY KEY("district_id","id")
);
--> statement-breakpoint
CREATE TABLE "enrolments" (
	"district_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"person_id" uuid NOT NULL,
	"school_id" uuid NOT NULL,
	"student_number_enc" text,
	"student_number_hash" text,
	"student_number_masked" text,
	"status" text NOT NULL,
	"entered_on" date NOT NULL,
	"left_on" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "enrolments_district_id_id_pk" PRIMARY KEY("district_id","id")
);
--> statement-breakpoint
CREATE TABLE "guardian_activation_codes" (
	"district_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"guardian_person_id" uuid NOT NULL,
	"code_hash" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "guardian_activation_codes_district_id_id_pk" PRIMARY KEY("district_id","id")
);
--> statement-breakpoint
CREATE TABLE "guardian_relations" (
	"district_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"guardian_person_id" uuid NOT NULL,
	"child_person_id" uuid NOT NULL,
	"relation_code" text NOT NULL,
	"is_primary" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone,
	CONSTRAINT "guardian_relations_district_id_id_pk" PRIMARY KEY("district_id","id")
);
--> statement-breakpoint
CREATE TABLE "head_teacher_assignments" (
	"district_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"person_id" uuid NOT NULL,
	"class_id" uuid NOT NULL,
	"academic_year_id" uuid NOT NULL,
	"started_on" date NOT NULL,
	"ended_on" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "head_teacher_assignments_district_id_id_pk" PRIMARY KEY("district_id","id")
);
--> statement-breakpoint
CREATE TABLE "person_accounts" (
	"district_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "person_accounts_district_id_person_id_user_id_pk" PRIMARY KEY("district_id","person_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "persons" (
	"district_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"gender_code" text,
	"birth_date" date,
	"ethnicity_code" text,
	"id_type" text,
	"id_number_enc" text,
	"id_hash" text,
	"id_masked" text,
	"phone_enc" text,
	"phone_masked" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "persons_district_id_id_pk" PRIMARY KEY("district_id","id")
);
--> statement-breakpoint
CREATE TABLE "roster_import_rows" (
	"district_id" uuid NOT NULL,
	"import_id" uuid NOT NULL,
	"row_number" integer NOT NULL,
	"valid" boolean NOT NULL,
	"payload_enc" text NOT NULL,
	CONSTRAINT "roster_import_rows_district_id_import_id_row_number_pk" PRIMARY KEY("district_id","import_id","row_number")
);
--> statement-breakpoint
CREATE TABLE "roster_imports" (
	"district_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"file_name" text NOT NULL,
	"file_sha256" text NOT NULL,
	"status" text NOT NULL,
	"total_rows" integer DEFAULT 0 NOT NULL,
	"processed_rows" integer DEFAULT 0 NOT NULL,
	"valid_rows" integer DEFAULT 0 NOT NULL,
	"invalid_rows" integer DEFAULT 0 NOT NULL,
	"problems" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"result" jsonb,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "roster_imports_district_id_id_pk" PRIMARY KEY("district_id","id")
);
--> statement-breakpoint
CREATE TABLE "staff_posts" (
	"district_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"person_id" uuid NOT NULL,
	"school_id" uuid NOT NULL,
	"post_code" text NOT NULL,
	"establishment_code" text NOT NULL,
	"is_full_time_teacher" boolean DEFAULT false NOT NULL,
	"started_on" date NOT NULL,
	"ended_on" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "staff_posts_district_id_id_pk" PRIMARY KEY("district_id","id")
);
--> statement-breakpoint
CREATE TABLE "teaching_assignments" (
	"district_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"person_id" uuid NOT NULL,
	"class_id" uuid NOT NULL,
	"subject_code" text NOT NULL,
	"term_id" uuid NOT NULL,
	"started_on" date NOT NULL,
	"ended_on" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "teaching_assignments_district_id_id_pk" PRIMARY KEY("district_id","id")
);
--> statement-breakpoint
ALTER TABLE "class_memberships" ADD CONSTRAINT "class_memberships_district_id_districts_id_fk" FOREIGN KEY ("district_id") REFERENCES "public"."districts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "class_memberships" ADD CONSTRAINT "class_memberships_district_id_enrolment_id_enrolments_district_id_id_fk" FOREIGN KEY ("district_id","enrolment_id") REFERENCES "public"."enrolments"("district_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "class_memberships" ADD CONSTRAINT "class_memberships_district_id_person_id_persons_district_id_id_fk" FOREIGN KEY ("district_id","person_id") REFERENCES "public"."persons"("district_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "class_memberships" ADD CONSTRAINT "class_memberships_district_id_class_id_org_units_district_id_id_fk" FOREIGN KEY ("district_id","class_id") REFERENCES "public"."org_units"("district_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "class_memberships" ADD CONSTRAINT "class_memberships_district_id_academic_year_id_academic_years_district_id_id_fk" FOREIGN KEY ("district_id","academic_year_id") REFERENCES "public"."academic_years"("district_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enrolment_changes" ADD CONSTRAINT "enrolment_changes_district_id_districts_id_fk" FOREIGN KEY ("district_id") REFERENCES "public"."districts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enrolment_changes" ADD CONSTRAINT "enrolment_changes_district_id_enrolment_id_enrolments_district_id_id_fk" FOREIGN KEY ("district_id","enrolment_id") REFERENCES "public"."enrolments"("district_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enrolments" ADD CONSTRAINT "enrolments_district_id_districts_id_fk" FOREIGN KEY ("district_id") REFERENCES "public"."districts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enrolments" ADD CONSTRAINT "enrolments_district_id_person_id_persons_district_id_id_fk" FOREIGN KEY ("district_id","person_id") REFERENCES "public"."persons"("district_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enrolments" ADD CONSTRAINT "enrolments_district_id_school_id_org_units_district_id_id_fk" FOREIGN KEY ("district_id","school_id") REFERENCES "public"."org_units"("district_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "guardian_activation_codes" ADD CONSTRAINT "guardian_activation_codes_district_id_districts_id_fk" FOREIGN KEY ("district_id") REFERENCES "public"."districts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "guardian_activation_codes" ADD CONSTRAINT "guardian_activation_codes_district_id_guardian_person_id_persons_district_id_id_fk" FOREIGN KEY ("district_id","guardian_person_id") REFERENCES "public"."persons"("district_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "guardian_relations" ADD CONSTRAINT "guardian_relations_district_id_districts_id_fk" FOREIGN KEY ("district_id") REFERENCES "public"."districts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "guardian_relations" ADD CONSTRAINT "guardian_relations_district_id_guardian_person_id_persons_district_id_id_fk" FOREIGN KEY ("district_id","guardian_person_id") REFERENCES "public"."persons"("district_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "guardian_relations" ADD CONSTRAINT "guardian_relations_district_id_child_person_id_persons_district_id_id_fk" FOREIGN KEY ("district_id","child_person_id") REFERENCES "public"."persons"("district_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "head_teacher_assignments" ADD CONSTRAINT "head_teacher_assignments_district_id_districts_id_fk" FOREIGN KEY ("district_id") REFERENCES "public"."districts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "head_teacher_assignments" ADD CONSTRAINT "head_teacher_assignments_district_id_person_id_persons_district_id_id_fk" FOREIGN KEY ("district_id","person_id") REFERENCES "public"."persons"("district_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "head_teacher_assignments" ADD CONSTRAINT "head_teacher_assignments_district_id_class_id_org_units_district_id_id_fk" FOREIGN KEY ("district_id","class_id") REFERENCES "public"."org_units"("district_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "head_teacher_assignments" ADD CONSTRAINT "head_teacher_assignments_district_id_academic_year_id_academic_years_district_id_id_fk" FOREIGN KEY ("district_id","academic_year_id") REFERENCES "public"."academic_years"("district_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "person_accounts" ADD CONSTRAINT "person_accounts_district_id_districts_id_fk" FOREIGN KEY ("district_id") REFERENCES "public"."districts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "person_accounts" ADD CONSTRAINT "person_accounts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "person_accounts" ADD CONSTRAINT "person_accounts_district_id_person_id_persons_district_id_id_fk" FOREIGN KEY ("district_id","person_id") REFERENCES "public"."persons"("district_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "persons" ADD CONSTRAINT "persons_district_id_districts_id_fk" FOREIGN KEY ("district_id") REFERENCES "public"."districts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "roster_import_rows" ADD CONSTRAINT "roster_import_rows_district_id_districts_id_fk" FOREIGN KEY ("district_id") REFERENCES "public"."districts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "roster_import_rows" ADD CONSTRAINT "roster_import_rows_district_id_import_id_roster_imports_district_id_id_fk" FOREIGN KEY ("district_id","import_id") REFERENCES "public"."roster_imports"("district_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "roster_imports" ADD CONSTRAINT "roster_imports_district_id_districts_id_fk" FOREIGN KEY ("district_id") REFERENCES "public"."districts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "roster_imports" ADD CONSTRAINT "roster_imports_district_id_school_id_org_units_district_id_id_fk" FOREIGN KEY ("district_id","school_id") REFERENCES "public"."org_units"("district_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_posts" ADD CONSTRAINT "staff_posts_district_id_districts_id_fk" FOREIGN KEY ("district_id") REFERENCES "public"."districts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_posts" ADD CONSTRAINT "staff_posts_district_id_person_id_persons_district_id_id_fk" FOREIGN KEY ("district_id","person_id") REFERENCES "public"."persons"("district_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_posts" ADD CONSTRAINT "staff_posts_district_id_school_id_org_units_district_id_id_fk" FOREIGN KEY ("district_id","school_id") REFERENCES "public"."org_units"("district_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "teaching_assignments" ADD CONSTRAINT "teaching_assignments_district_id_districts_id_fk" FOREIGN KEY ("district_id") REFERENCES "public"."districts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "teaching_assignments" ADD CONSTRAINT "teaching_assignments_district_id_person_id_persons_district_id_id_fk" FOREIGN KEY ("district_id","person_id") REFERENCES "public"."persons"("district_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "teaching_assignments" ADD CONSTRAINT "teaching_assignments_district_id_class_id_org_units_district_id_id_fk" FOREIGN KEY ("district_id","class_id") REFERENCES "public"."org_units"("district_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "teaching_assignments" ADD CONSTRAINT "teaching_assignments_district_id_term_id_terms_district_id_id_fk" FOREIGN KEY ("district_id","term_id") REFERENCES "public"."terms"("district_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "class_memberships_class_idx" ON "class_memberships" USING btree ("district_id","class_id");--> statement-breakpoint
CREATE INDEX "class_memberships_person_idx" ON "class_memberships" USING btree ("district_id","person_id");--> statement-breakpoint
CREATE INDEX "enrolment_changes_person_idx" ON "enrolment_changes" USING btree ("district_id","person_id");--> statement-breakpoint
CREATE INDEX "enrolments_person_idx" ON "enrolments" USING btree ("district_id","person_id");--> statement-breakpoint
CREATE INDEX "enrolments_school_idx" ON "enrolments" USING btree ("district_id","school_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "enrolments_student_number_key" ON "enrolments" USING btree ("district_id","student_number_hash") WHERE "enrolments"."student_number_hash" is not null and "enrolments"."status" = 'active';--> statement-breakpoint
CREATE INDEX "guardian_activation_codes_hash_idx" ON "guardian_activation_codes" USING btree ("code_hash");--> statement-breakpoint
CREATE INDEX "guardian_relations_guardian_idx" ON "guardian_relations" USING btree ("district_id","guardian_person_id");--> statement-breakpoint
CREATE INDEX "guardian_relations_child_idx" ON "guardian_relations" USING btree ("district_id","child_person_id");--> statement-breakpoint
CREATE INDEX "head_teacher_assignments_person_idx" ON "head_teacher_assignments" USING btree ("district_id","person_id");--> statement-breakpoint
CREATE INDEX "head_teacher_assignments_class_idx" ON "head_teacher_assignments" USING btree ("district_id","class_id");--> statement-breakpoint
CREATE INDEX "person_accounts_user_idx" ON "person_accounts" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "persons_id_hash_key" ON "persons" USING btree ("district_id","id_hash") WHERE "persons"."id_hash" is not null;--> statement-breakpoint
CREATE INDEX "persons_id_hash_idx" ON "persons" USING btree ("id_hash");--> statement-breakpoint
CREATE INDEX "persons_name_idx" ON "persons" USING btree ("district_id","name");--> statement-breakpoint
CREATE INDEX "staff_posts_school_idx" ON "staff_posts" USING btree ("district_id","school_id");--> statement-breakpoint
CREATE INDEX "staff_posts_person_idx" ON "staff_posts" USING btree ("district_id","person_id");--> statement-breakpoint
CREATE INDEX "teaching_assignments_person_idx" ON "teaching_assignments" USING btree ("district_id","person_id");--> statement-breakpoint
CREATE INDEX "teaching_assignments_class_idx" ON "teaching_assignments" USING btree ("district_id","class_id");