import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  createUser,
  request,
  type SeededDistrict,
  seedDistrict,
  type TestApp,
  type TestUser,
} from '../../../test/support/app';
import { orgUnits } from '../org/schema';
import {
  type CurrentYear,
  daysFromToday,
  firstSignIn,
  insertCurrentYear,
  today,
} from './people-test-fixtures';
import { auditText, enrolViaApi, eventsOf, idNumber } from './students-test-support';

/** Staff posts, teaching and head-teacher assignments, staff accounts — through the API. */
describe('staff', () => {
  let t: TestApp;
  let d: SeededDistrict;
  let year: CurrentYear;
  const u: Record<string, TestUser> = {};
  const api = (who: string, method: 'GET' | 'POST', url: string, body?: unknown) =>
    request(t.app, u[who] ?? null, method, `/api/v1${url}`, body);

  /** POST /staff as the school A administrator, expecting 201. */
  const hire = async (name: string, extra: Record<string, unknown> = {}, who = 'adminA') => {
    const res = await api(who, 'POST', '/staff', {
      schoolId: d.schoolA.id,
      name,
      postCode: '10',
      establishmentCode: '1',
      isFullTimeTeacher: true,
      startedOn: daysFromToday(-10),
      ...extra,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as {
      person: { id: string; idMasked: string | null };
      post: { id: string };
      personCreated: boolean;
    };
  };

  beforeAll(async () => {
    t = await createTestApp();
    const db = t.database.db;
    d = await seedDistrict(db);
    year = await insertCurrentYear(db, d.districtId, [d.schoolA.classId, d.schoolB.classId]);
    const grant = (
      role: 'bureauAdmin' | 'inspector' | 'bureauAnalyst' | 'principal' | 'schoolAdmin',
      unit: string,
    ) => ({
      grants: [{ role, districtId: d.districtId, orgUnitId: unit }],
    });
    u.bureauAdmin = await createUser(db, grant('bureauAdmin', d.rootId));
    u.inspector = await createUser(db, grant('inspector', d.rootId));
    u.analyst = await createUser(db, grant('bureauAnalyst', d.rootId));
    u.principalA = await createUser(db, grant('principal', d.schoolA.id));
    u.adminA = await createUser(db, grant('schoolAdmin', d.schoolA.id));
    u.adminB = await createUser(db, grant('schoolAdmin', d.schoolB.id));
  });
  afterAll(() => t.close());

  describe('POST /staff', () => {
    it('registers the person with the ID number encrypted and masked, and gives a post; audited with the person', async () => {
      const number = idNumber('19850612', 22);
      const res = await api('adminA', 'POST', '/staff', {
        schoolId: d.schoolA.id,
        name: '王芳',
        idNumber: number,
        phone: '13812345678',
        postCode: '10',
        establishmentCode: '1',
        isFullTimeTeacher: true,
        startedOn: '2020-09-01',
      });
      expect(res.statusCode, res.body).toBe(201);
      const body = res.json();
      expect(body).toMatchObject({
        person: {
          name: '王芳',
          idType: '1',
          idMasked: `110101********${number.slice(-4)}`,
          phoneMasked: '138****5678',
          birthDate: '1985-06-12',
          genderCode: '2',
        },
        post: {
          schoolId: d.schoolA.id,
          postCode: '10',
          postName: '教师',
          establishmentCode: '1',
          establishmentName: '专任教师',
          isFullTimeTeacher: true,
          startedOn: '2020-09-01',
          endedOn: null,
        },
        personCreated: true,
        mismatches: [],
      });
      const [event] = await eventsOf(t.database.db, d.districtId, 'staff.create');
      expect(event).toMatchObject({
        subjectIds: [body.person.id],
        targetType: 'staffPost',
        targetId: body.post.id,
        actorId: u.adminA?.userId,
      });
      const text = await auditText(t.database.db);
      expect(text).not.toContain(number);
      expect(text).not.toContain('13812345678');
    });

    it('finds the same person again by ID number; a second open post at the same school is refused', async () => {
      const number = idNumber('19790101', 31);
      const first = await hire('刘洋', { idNumber: number });
      const again = await api('bureauAdmin', 'POST', '/staff', {
        schoolId: d.schoolB.id,
        name: '刘阳',
        idNumber: number,
        postCode: '30',
        establishmentCode: '2',
        isFullTimeTeacher: false,
        startedOn: today(),
      });
      expect(again.statusCode, again.body).toBe(201);
      expect(again.json()).toMatchObject({
        person: { id: first.person.id, name: '刘洋' },
        personCreated: false,
        mismatches: ['name'],
        post: { schoolId: d.schoolB.id, postName: '行政', establishmentName: '行政人员' },
      });
      const dup = await api('adminA', 'POST', '/staff', {
        schoolId: d.schoolA.id,
        name: '刘洋',
        idNumber: number,
        postCode: '10',
        establishmentCode: '1',
        isFullTimeTeacher: true,
        startedOn: today(),
      });
      expect(dup.statusCode).toBe(409);
      expect(dup.json()).toMatchObject({ code: 'staff.post_exists' });
    });

    it('lists every bad field at once', async () => {
      const res = await api('adminA', 'POST', '/staff', {
        schoolId: d.schoolA.id,
        name: '钱七',
        idNumber: '110101198506120000',
        postCode: '99',
        establishmentCode: '8',
        isFullTimeTeacher: true,
        startedOn: today(),
      });
      expect(res.statusCode).toBe(422);
      expect(res.json().errors.map((e: { path: string; code: string }) => [e.path, e.code])).toEqual([
        ['body.idNumber', 'idNumber.check_digit'],
        ['body.postCode', 'staff.post_unknown'],
        ['body.establishmentCode', 'staff.staffing_category_unknown'],
      ]);
    });

    it('is for school and bureau administrators: 403 for roles without staff.manage, 404 outside the scope', async () => {
      const body = {
        schoolId: d.schoolA.id,
        name: '孙八',
        postCode: '10',
        establishmentCode: '1',
        isFullTimeTeacher: true,
        startedOn: today(),
      };
      expect((await api('principalA', 'POST', '/staff', body)).statusCode).toBe(403);
      expect((await api('inspector', 'POST', '/staff', body)).statusCode).toBe(403);
      expect((await api('analyst', 'POST', '/staff', body)).statusCode).toBe(403);
      const outside = await api('adminB', 'POST', '/staff', body);
      expect(outside.statusCode).toBe(404);
      expect(outside.json()).toMatchObject({ code: 'resource.not_found' });
      expect((await api('bureauAdmin', 'POST', '/staff', body)).statusCode).toBe(201);
    });
  });

  describe('GET /schools/:id/staff', () => {
    it('lists current posts, searchable, paginated; one audit event names every person listed', async () => {
      const a = await hire('欧阳明');
      const b = await hire('欧阳亮');
      const gone = await hire('欧阳旧');
      const end = await api('adminA', 'POST', `/staff-posts/${gone.post.id}/end`, {});
      expect(end.statusCode, end.body).toBe(200);

      const res = await api(
        'principalA',
        'GET',
        `/schools/${d.schoolA.id}/staff?q=${encodeURIComponent('欧阳')}`,
      );
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      expect(body.total).toBe(2);
      expect(body.items.map((i: { name: string }) => i.name)).toEqual(['欧阳亮', '欧阳明']);
      expect(body.items[0]).toMatchObject({
        current: true,
        hasAccount: false,
        postName: '教师',
        endedOn: null,
      });
      const [event] = await eventsOf(t.database.db, d.districtId, 'person.read');
      expect(event).toMatchObject({ targetId: d.schoolA.id, actorId: u.principalA?.userId });
      expect(event?.subjectIds.sort()).toEqual([a.person.id, b.person.id].sort());

      // Former staff: the bureau keeps the district's records; a school sees only its people now.
      const q = `q=${encodeURIComponent('欧阳')}&includeEnded=true`;
      const withEnded = await api('bureauAdmin', 'GET', `/schools/${d.schoolA.id}/staff?${q}`);
      expect(
        withEnded.json().items.map((i: { name: string; current: boolean }) => [i.name, i.current]),
      ).toEqual([
        ['欧阳亮', true],
        ['欧阳旧', false],
        ['欧阳明', true],
      ]);
      const schoolView = await api('adminA', 'GET', `/schools/${d.schoolA.id}/staff?${q}`);
      expect(schoolView.json().items.map((i: { name: string }) => i.name)).toEqual(['欧阳亮', '欧阳明']);
      const page = await api(
        'adminA',
        'GET',
        `/schools/${d.schoolA.id}/staff?q=${encodeURIComponent('欧阳')}&limit=1&offset=1`,
      );
      expect(page.json()).toMatchObject({ total: 2, items: [{ name: '欧阳明' }] });
    });

    it('is readable with person.read on the school: 404 for another school, 403 for analysts', async () => {
      expect((await api('adminB', 'GET', `/schools/${d.schoolA.id}/staff`)).statusCode).toBe(404);
      expect((await api('analyst', 'GET', `/schools/${d.schoolA.id}/staff`)).statusCode).toBe(403);
      expect((await api('inspector', 'GET', `/schools/${d.schoolA.id}/staff`)).statusCode).toBe(200);
      expect((await api('bureauAdmin', 'GET', `/schools/${d.schoolB.id}/staff`)).statusCode).toBe(200);
      // A class is not a school.
      expect((await api('bureauAdmin', 'GET', `/schools/${d.schoolA.classId}/staff`)).statusCode).toBe(404);
    });
  });

  describe('assignments', () => {
    it('assigns a teacher to a class for the current term; the teacher must hold a post at that school', async () => {
      const teacher = await hire('马老师');
      const res = await api('adminA', 'POST', '/teaching-assignments', {
        personId: teacher.person.id,
        classId: d.schoolA.classId,
        subjectCode: '14',
        termId: year.termId,
      });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({
        personId: teacher.person.id,
        personName: '马老师',
        classId: d.schoolA.classId,
        subjectCode: '14',
        subjectName: '数学',
        termId: year.termId,
        startedOn: today(),
        endedOn: null,
      });
      const [event] = await eventsOf(t.database.db, d.districtId, 'staff.assignTeaching');
      expect(event?.subjectIds).toEqual([teacher.person.id]);

      const again = await api('adminA', 'POST', '/teaching-assignments', {
        personId: teacher.person.id,
        classId: d.schoolA.classId,
        subjectCode: '14',
        termId: year.termId,
      });
      expect(again.statusCode).toBe(409);
      expect(again.json()).toMatchObject({ code: 'staff.assignment_exists' });

      // Another school's class: the bureau may assign, but the teacher has no post there.
      const noPost = await api('bureauAdmin', 'POST', '/teaching-assignments', {
        personId: teacher.person.id,
        classId: d.schoolB.classId,
        subjectCode: '14',
        termId: year.termId,
      });
      expect(noPost.statusCode).toBe(422);
      expect(noPost.json().errors).toMatchObject([
        { path: 'body.personId', code: 'staff.no_post_at_school' },
      ]);
      // …and school A's administrator does not even see school B's class.
      const outside = await api('adminA', 'POST', '/teaching-assignments', {
        personId: teacher.person.id,
        classId: d.schoolB.classId,
        subjectCode: '14',
        termId: year.termId,
      });
      expect(outside.statusCode).toBe(404);
    });

    it('checks subject, term and dates field by field; a future term starts on its first day', async () => {
      const teacher = await hire('牛老师');
      const bad = await api('adminA', 'POST', '/teaching-assignments', {
        personId: teacher.person.id,
        classId: d.schoolA.classId,
        subjectCode: '99',
        termId: year.pastTermId,
      });
      expect(bad.statusCode).toBe(422);
      expect(bad.json().errors.map((e: { path: string; code: string }) => [e.path, e.code])).toEqual([
        ['body.subjectCode', 'staff.subject_unknown'],
        ['body.termId', 'staff.term_ended'],
      ]);
      const next = await api('adminA', 'POST', '/teaching-assignments', {
        personId: teacher.person.id,
        classId: d.schoolA.classId,
        subjectCode: '41',
        termId: year.nextTermId,
      });
      expect(next.statusCode, next.body).toBe(201);
      expect(next.json()).toMatchObject({ subjectName: '英语', startedOn: daysFromToday(61) });
      // The seeded 2026-2027 year is not the class's year.
      const [otherYearTerm] = await t.database.db
        .insert((await import('../org/schema')).terms)
        .values({
          districtId: d.districtId,
          academicYearId: d.academicYearId,
          seq: 1,
          name: '其他学年第1学期',
          startsOn: daysFromToday(-5),
          endsOn: daysFromToday(5),
        })
        .returning();
      const wrongYear = await api('adminA', 'POST', '/teaching-assignments', {
        personId: teacher.person.id,
        classId: d.schoolA.classId,
        subjectCode: '13',
        termId: otherYearTerm?.id,
      });
      expect(wrongYear.json().errors).toMatchObject([
        { path: 'body.termId', code: 'staff.term_not_class_year' },
      ]);
    });

    it('ends a teaching assignment today; a second end is refused', async () => {
      const teacher = await hire('杨老师');
      const created = await api('adminA', 'POST', '/teaching-assignments', {
        personId: teacher.person.id,
        classId: d.schoolA.classId,
        subjectCode: '13',
        termId: year.termId,
      });
      const id = created.json().id;
      expect((await api('principalA', 'POST', `/teaching-assignments/${id}/end`, {})).statusCode).toBe(403);
      expect((await api('adminB', 'POST', `/teaching-assignments/${id}/end`, {})).statusCode).toBe(404);
      const ended = await api('adminA', 'POST', `/teaching-assignments/${id}/end`, {});
      expect(ended.statusCode, ended.body).toBe(200);
      expect(ended.json()).toMatchObject({ id, endedOn: today(), personName: '杨老师' });
      const twice = await api('adminA', 'POST', `/teaching-assignments/${id}/end`, {});
      expect(twice.statusCode).toBe(409);
      expect(twice.json()).toMatchObject({ code: 'staff.assignment_already_ended' });
    });

    it('keeps one head teacher per class: a new one ends the previous one the same day', async () => {
      // A class of its own so other tests' head teachers do not interfere.
      const classId = crypto.randomUUID();
      const [grade] = await t.database.db.select().from(orgUnits).where(eq(orgUnits.id, d.schoolA.gradeId));
      await t.database.db.insert(orgUnits).values({
        districtId: d.districtId,
        id: classId,
        parentId: d.schoolA.gradeId,
        kind: 'class',
        name: '一年级2班',
        path: `${grade?.path}${classId}/`,
        gradeCode: '11',
        classNumber: 2,
        academicYearId: year.academicYearId,
      });
      const first = await hire('郑老师');
      const second = await hire('冯老师');
      const assign = (personId: string) =>
        api('adminA', 'POST', '/head-teacher-assignments', {
          personId,
          classId,
          academicYearId: year.academicYearId,
        });
      const a1 = await assign(first.person.id);
      expect(a1.statusCode, a1.body).toBe(201);
      expect(a1.json()).toMatchObject({
        personName: '郑老师',
        startedOn: today(),
        endedOn: null,
        replaced: [],
      });
      const a2 = await assign(second.person.id);
      expect(a2.statusCode, a2.body).toBe(201);
      expect(a2.json()).toMatchObject({ personName: '冯老师', replaced: [a1.json().id] });
      const [event] = await eventsOf(t.database.db, d.districtId, 'staff.assignHeadTeacher');
      expect(event?.subjectIds).toEqual([second.person.id, first.person.id]);
      expect((await assign(second.person.id)).json()).toMatchObject({ code: 'staff.already_head_teacher' });

      const teachers = await api('adminA', 'GET', `/classes/${classId}/teachers`);
      expect(teachers.statusCode, teachers.body).toBe(200);
      expect(teachers.json()).toMatchObject({
        className: '一年级2班',
        schoolId: d.schoolA.id,
        schoolName: '东城区第一实验小学',
        headTeacher: { personId: second.person.id, name: '冯老师' },
        teachers: [],
      });

      const end = await api('adminA', 'POST', `/head-teacher-assignments/${a2.json().id}/end`, {});
      expect(end.statusCode, end.body).toBe(200);
      expect(end.json()).toMatchObject({ endedOn: today() });
      expect((await api('adminA', 'GET', `/classes/${classId}/teachers`)).json().headTeacher).toBeNull();
    });

    it('ending a post ends the assignments at that school the same day', async () => {
      const teacher = await hire('褚老师');
      await api('adminA', 'POST', '/teaching-assignments', {
        personId: teacher.person.id,
        classId: d.schoolA.classId,
        subjectCode: '22',
        termId: year.termId,
      });
      const ht = await api('adminA', 'POST', '/head-teacher-assignments', {
        personId: teacher.person.id,
        classId: d.schoolA.classId,
        academicYearId: year.academicYearId,
      });
      expect(ht.statusCode, ht.body).toBe(201);
      const before = (await api('adminA', 'GET', `/classes/${d.schoolA.classId}/teachers`)).json();
      expect(before.headTeacher).toMatchObject({ name: '褚老师' });
      expect(before.teachers.map((x: { name: string }) => x.name)).toContain('褚老师');

      const ended = await api('adminA', 'POST', `/staff-posts/${teacher.post.id}/end`, {});
      expect(ended.statusCode, ended.body).toBe(200);
      expect(ended.json()).toMatchObject({
        endedOn: today(),
        endedAssignments: { teaching: 1, headTeacher: 1 },
      });
      const after = (await api('adminA', 'GET', `/classes/${d.schoolA.classId}/teachers`)).json();
      expect(after.headTeacher).toBeNull();
      expect(after.teachers.map((x: { name: string }) => x.name)).not.toContain('褚老师');
      expect((await api('adminA', 'POST', `/staff-posts/${teacher.post.id}/end`, {})).json()).toMatchObject({
        code: 'staff.post_already_ended',
      });
      const early = await api('adminA', 'POST', `/staff-posts/${(await hire('卫老师')).post.id}/end`, {
        endedOn: daysFromToday(-30),
      });
      expect(early.json().errors).toMatchObject([{ path: 'body.endedOn', code: 'staff.end_before_start' }]);
    });
  });

  describe('staff accounts', () => {
    it('opens an account with a one-time password; the teacher sees the class while the assignment runs', async () => {
      const teacher = await hire('蒋老师');
      const res = await api('adminA', 'POST', `/staff/${teacher.person.id}/account`, {
        username: 'jiang.teacher',
      });
      expect(res.statusCode, res.body).toBe(201);
      const account = res.json();
      expect(account).toMatchObject({ personId: teacher.person.id, username: 'jiang.teacher' });
      expect(account.initialPassword).toMatch(/^\S{16}$/);
      const [event] = await eventsOf(t.database.db, d.districtId, 'staff.createAccount');
      expect(event).toMatchObject({ subjectIds: [teacher.person.id], targetId: account.userId });

      expect(
        (await api('adminA', 'POST', `/staff/${teacher.person.id}/account`, { username: 'jiang2' })).json(),
      ).toMatchObject({ code: 'person.account_exists' });
      const listed = await api(
        'adminA',
        'GET',
        `/schools/${d.schoolA.id}/staff?q=${encodeURIComponent('蒋老师')}`,
      );
      expect(listed.json().items[0]).toMatchObject({ hasAccount: true });

      u.jiang = await firstSignIn(t.app, 'jiang.teacher', account.initialPassword);
      // No assignment yet: the class is out of sight.
      expect((await api('jiang', 'GET', `/classes/${d.schoolA.classId}/teachers`)).statusCode).toBe(404);
      const assigned = await api('adminA', 'POST', '/teaching-assignments', {
        personId: teacher.person.id,
        classId: d.schoolA.classId,
        subjectCode: '24',
        termId: year.termId,
      });
      expect((await api('jiang', 'GET', `/classes/${d.schoolA.classId}/teachers`)).statusCode).toBe(200);
      await api('adminA', 'POST', `/teaching-assignments/${assigned.json().id}/end`, {});
      // The very next request: gone.
      expect((await api('jiang', 'GET', `/classes/${d.schoolA.classId}/teachers`)).statusCode).toBe(404);
      // A teacher never lists a school's staff.
      expect((await api('jiang', 'GET', `/schools/${d.schoolA.id}/staff`)).statusCode).toBe(403);
    });

    it('is only for staff of a school the caller manages; usernames stay unique', async () => {
      const student = await enrolViaApi(t.app, u.adminA as TestUser, {
        schoolId: d.schoolA.id,
        classId: d.schoolA.classId,
        person: { name: '韩小明', idNumber: idNumber('20190707', 41) },
      });
      const notStaff = await api('adminA', 'POST', `/staff/${student.person.id}/account`, {
        username: 'han.xm',
      });
      expect(notStaff.statusCode).toBe(422);
      expect(notStaff.json().errors).toMatchObject([{ path: 'params.personId', code: 'staff.not_staff' }]);
      const teacher = await hire('沈老师');
      expect(
        (await api('adminB', 'POST', `/staff/${teacher.person.id}/account`, { username: 'shen' })).statusCode,
      ).toBe(404);
      expect(
        (await api('principalA', 'POST', `/staff/${teacher.person.id}/account`, { username: 'shen' }))
          .statusCode,
      ).toBe(403);
      const taken = await api('adminA', 'POST', `/staff/${teacher.person.id}/account`, {
        username: u.adminA?.username,
      });
      expect(taken.statusCode).toBe(409);
      expect(taken.json()).toMatchObject({ code: 'user.username_taken' });
    });
  });
});
