import { z } from 'zod';
import { internal } from '../../access/levels';

/** What `GET /districts/:id/overview` answers: aggregates only, every field L2. */
const n = () => internal(z.number());
const label = () => internal(z.string());

export const overviewSchema = z.object({
  schoolsByType: z.array(z.object({ schoolType: label(), name: label(), count: n() })),
  studentsByStage: z.array(z.object({ stage: label(), count: n() })),
  studentsByGrade: z.array(z.object({ gradeCode: label(), name: label(), count: n() })),
  totals: z.object({ schools: n(), students: n(), staff: n(), fullTimeTeachers: n(), classes: n() }),
  schools: z.array(
    z.object({
      id: internal(z.guid()),
      name: label(),
      schoolType: label().nullable(),
      students: n(),
      staff: n(),
      fullTimeTeachers: n(),
      studentTeacherRatio: n().nullable().describe('生师比: students per full-time teacher'),
      staffRequired: n()
        .nullable()
        .describe('教职工编制标准 (中央编办发〔2014〕72号) applied to the students'),
      classes: n(),
      largeClasses: n().describe('classes of 56 or more (大班额)'),
    }),
  ),
  classSizes: z.array(z.object({ band: label(), count: n() })),
  largeClasses: z.array(
    z.object({
      classId: internal(z.guid()),
      name: label(),
      schoolId: internal(z.guid()),
      students: n(),
      oversize: internal(z.boolean()),
    }),
  ),
  standards: z.object({
    studentsPerStaff: internal(z.record(z.string(), z.number().nullable())),
    largeClassSize: n(),
    oversizeClassSize: n(),
  }),
});
export type Overview = z.infer<typeof overviewSchema>;
