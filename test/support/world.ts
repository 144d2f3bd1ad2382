import { eq } from 'drizzle-orm';
import type { Database } from '../../src/db/client';
import { cityGrants } from '../../src/domains/accounts/schema';
import { cityBureaus, districts } from '../../src/domains/org/schema';
import { residentId, settle, upload } from '../../src/domains/people/imports-test-support';
import {
  accountFor,
  type CurrentYear,
  insertCurrentYear,
  insertHeadTeacher,
  insertPerson,
  insertStaffPost,
  insertTeaching,
  today,
} from '../../src/domains/people/people-test-fixtures';
import type { App } from '../../src/http/types';
import { apiOf, createUser, type SeededDistrict, seedDistrict, type TestUser } from './app';

/**
 * A district world for access tests: district D with schools A and B, district E with school C,
 * one student (with ID number), guardian (with phone), staff member, user with a grant, grouping,
 * import and purpose per school, and the ids of all of them as a `Bundle` per school. Persons have
 * distinctive names and identifiers so responses can be searched for them.
 */
export interface Bundle {
  districtId: string;
  rootId: string;
  schoolId: string;
  campusId: string;
  gradeId: string;
  classId: string;
  academicYearId: string;
  termId: string;
  studentId: string;
  enrolmentId: string;
  guardianId: string;
  guardianRelationId: string;
  staffId: string;
  staffPostId: string;
  teachingId: string;
  headTeacherAssignmentId: string;
  userId: string;
  grantId: string;
  groupingId: string;
  importId: string;
  purposeId: string;
  apiClientId: string;
}

/** What is planted about one school's people: names, and identifiers in clear and masked. */
export interface Planted {
  studentName: string;
  guardianName: string;
  studentIdNumber: string;
  guardianIdNumber: string;
  guardianPhone: string;
  staffIdNumber: string;
  staffPhone: string;
  studentIdMasked: string;
  guardianPhoneMasked: string;
}

export interface World {
  d: SeededDistrict;
  e: SeededDistrict;
  cityBureauId: string;
  bundles: { in: Bundle; outSchool: Bundle; outDistrict: Bundle };
  planted: { in: Planted; outSchool: Planted; outDistrict: Planted };
  platformAdmin: TestUser;
  /** People of school A with accounts: who the relation roles are. */
  accounts: {
    headTeacher: TestUser;
    subjectTeacher: TestUser;
    guardian: TestUser;
    student: TestUser;
    staffMember: TestUser;
    learner: TestUser;
  };
}

const plantsOf = (
  studentName: string,
  guardianName: string,
  area: string,
  seq: number,
): Planted & { raw: { s: string; g: string; t: string } } => {
  const s = residentId(area, '20150304', seq);
  const g = residentId(area, '19850607', seq + 2);
  const t = residentId(area, '19800101', seq + 4);
  const phone = `1391234${String(5000 + seq).slice(-4)}`;
  return {
    studentName,
    guardianName,
    studentIdNumber: s,
    guardianIdNumber: g,
    guardianPhone: phone,
    staffIdNumber: t,
    staffPhone: `1371234${String(6000 + seq).slice(-4)}`,
    studentIdMasked: `${s.slice(0, 6)}********${s.slice(-4)}`,
    guardianPhoneMasked: `${phone.slice(0, 3)}****${phone.slice(-4)}`,
    raw: { s, g, t },
  };
};

export async function buildWorld(app: App, database: Database): Promise<World> {
  const db = database.db;
  const api = apiOf({ app });
  const platformAdmin = await createUser(db, { platformAdmin: true });
  const d = await seedDistrict(db, '110101');
  const e = await seedDistrict(db, '110102');
  const [city] = await db
    .insert(cityBureaus)
    .values({ divisionCode: '110100', name: '北京市教育委员会' })
    .returning();
  if (!city) throw new Error('city insert failed');
  await db.update(districts).set({ cityBureauId: city.id }).where(eq(districts.id, d.districtId));
  const yearD = await insertCurrentYear(db, d.districtId, [d.schoolA.classId, d.schoolB.classId]);
  const yearE = await insertCurrentYear(db, e.districtId, [e.schoolA.classId]);
  const must = async (res: Awaited<ReturnType<typeof api>>, what: string) => {
    if (res.statusCode >= 300) throw new Error(`${what}: ${res.statusCode} ${res.body}`);
    return res.json();
  };

  const school = async (
    district: SeededDistrict,
    s: SeededDistrict['schoolA'],
    year: CurrentYear,
    p: ReturnType<typeof plantsOf>,
  ): Promise<Bundle> => {
    const enrolled = await must(
      await api(platformAdmin, 'POST', '/students', {
        schoolId: s.id,
        classId: s.classId,
        person: { name: p.studentName, idNumber: p.raw.s },
        studentNumber: `G${p.raw.s}`,
      }),
      'enrol',
    );
    const guardian = await must(
      await api(platformAdmin, 'POST', `/students/${enrolled.person.id}/guardians`, {
        name: p.guardianName,
        idType: '1',
        idNumber: p.raw.g,
        phone: p.guardianPhone,
        relationCode: '52',
        isPrimary: true,
      }),
      'guardian',
    );
    const staff = await must(
      await api(platformAdmin, 'POST', '/staff', {
        schoolId: s.id,
        name: `${p.studentName.slice(0, 1)}老师`,
        idType: '1',
        idNumber: p.raw.t,
        phone: p.staffPhone,
        postCode: '10',
        establishmentCode: '1',
        isFullTimeTeacher: true,
        startedOn: today(),
      }),
      'staff',
    );
    const staffId: string = staff.person.id;
    const staffPostId: string = staff.post.id;
    const teachingId = await insertTeaching(db, {
      districtId: district.districtId,
      personId: staffId,
      classId: s.classId,
      termId: year.termId,
    });
    const headTeacherAssignmentId = await insertHeadTeacher(db, {
      districtId: district.districtId,
      personId: staffId,
      classId: s.classId,
      academicYearId: year.academicYearId,
    });
    // A role a school administrator may hand out and take back.
    const schoolUser = await createUser(db, {
      grants: [{ role: 'counsellor', districtId: district.districtId, orgUnitId: s.id }],
    });
    const grants = await must(
      await api(platformAdmin, 'GET', `/users/${schoolUser.userId}/grants`),
      'grants',
    );
    const grouping = await must(
      await api(platformAdmin, 'POST', '/groupings', {
        districtId: district.districtId,
        kind: 'schoolZone',
        name: `学区 ${s.id.slice(0, 4)}`,
        schoolIds: [s.id],
      }),
      'grouping',
    );
    const started = await upload(
      app,
      platformAdmin,
      s.id,
      'students',
      'students.csv',
      Buffer.from('\uFEFF姓名\r\n', 'utf8'),
    );
    if (started.statusCode >= 300) throw new Error(`import: ${started.statusCode} ${started.body}`);
    const imported = await settle(app, platformAdmin, started.json().id);
    // The bundle's purpose belongs to nobody of the tested roles.
    const declarer = await createUser(db, {
      grants: [{ role: 'schoolAdmin', districtId: district.districtId, orgUnitId: s.id }],
    });
    const purpose = await must(
      await api(declarer, 'POST', '/purposes', {
        purpose: 'homeSchoolContact',
        reason: '联系家长',
        personId: enrolled.person.id,
      }),
      'purpose',
    );
    const client = await must(
      await api(platformAdmin, 'POST', '/api-clients', {
        name: `应用 ${s.id.slice(0, 4)}`,
        orgUnitIds: [s.id],
        scopes: ['org:read'],
        legalBasis: '数据处理协议',
        retentionDays: 30,
      }),
      'api client',
    );
    return {
      districtId: district.districtId,
      rootId: district.rootId,
      schoolId: s.id,
      campusId: s.campusId,
      gradeId: s.gradeId,
      classId: s.classId,
      academicYearId: year.academicYearId,
      termId: year.termId,
      studentId: enrolled.person.id,
      enrolmentId: enrolled.enrolment.id,
      guardianId: guardian.guardian.personId,
      guardianRelationId: guardian.id,
      staffId,
      staffPostId,
      teachingId,
      headTeacherAssignmentId,
      userId: schoolUser.userId,
      grantId: grants.grants[0].id,
      groupingId: grouping.id,
      importId: imported.id,
      purposeId: purpose.id,
      apiClientId: client.client.id,
    };
  };

  const planted = {
    in: plantsOf('王一鸣', '李秀英', '110101', 11),
    outSchool: plantsOf('赵二虎', '钱三娘', '110101', 21),
    outDistrict: plantsOf('孙四海', '周五妹', '110102', 31),
  };
  const bundles = {
    in: await school(d, d.schoolA, yearD, planted.in),
    outSchool: await school(d, d.schoolB, yearD, planted.outSchool),
    outDistrict: await school(e, e.schoolA, yearE, planted.outDistrict),
  };

  // People of school A with accounts, for the roles that come from relations.
  const account = (personId: string) => accountFor(db, d.districtId, personId);
  const subjectTeacherId = await insertPerson(db, d.districtId, '郑老师');
  await insertStaffPost(db, { districtId: d.districtId, personId: subjectTeacherId, schoolId: d.schoolA.id });
  await insertTeaching(db, {
    districtId: d.districtId,
    personId: subjectTeacherId,
    classId: d.schoolA.classId,
    termId: yearD.termId,
  });
  const staffMemberId = await insertPerson(db, d.districtId, '冯职工');
  await insertStaffPost(db, { districtId: d.districtId, personId: staffMemberId, schoolId: d.schoolA.id });
  const accounts = {
    headTeacher: await account(bundles.in.staffId),
    subjectTeacher: await account(subjectTeacherId),
    guardian: await account(bundles.in.guardianId),
    student: await account(bundles.in.studentId),
    staffMember: await account(staffMemberId),
    learner: await account(await insertPerson(db, d.districtId, '陈学员')),
  };
  return { d, e, cityBureauId: city.id, bundles, planted, platformAdmin, accounts };
}

/** A user holding a city role on the world's city bureau. */
export async function cityUser(
  database: Database,
  cityBureauId: string,
  role: 'cityBureauAdmin' | 'cityBureauAnalyst',
) {
  const user = await createUser(database.db);
  await database.db.insert(cityGrants).values({ userId: user.userId, cityBureauId, role });
  return user;
}
