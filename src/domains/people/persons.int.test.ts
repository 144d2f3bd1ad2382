import { PassThrough } from 'node:stream';
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
import { decrypt, identityHash } from '../../access/protect';
import { type Ctx, inTransaction } from '../../context';
import { DomainError } from '../../errors';
import { insertCurrentYear } from './people-test-fixtures';
import { registerPerson } from './persons-service';
import { persons } from './schema';
import { auditText, enrolViaApi, eventsOf, idNumber } from './students-test-support';

// 11010519491231002X is GB 11643's own example (check character X); see test/standards/id-number.test.ts.
const ID = '11010519491231002X';

describe('persons: registration, identity protection, lookup', () => {
  let t: TestApp;
  let d: SeededDistrict;
  let admin: TestUser;
  let log: string[];

  const systemCtx = (): Ctx => ({
    principal: null,
    system: true,
    db: t.database.db,
    config: t.app.deps.config,
    lang: 'zh-CN',
    requestId: 'test',
    ip: '127.0.0.1',
    auditLog: t.auditLog,
    dataKeys: t.app.deps.dataKeys,
  });

  beforeAll(async () => {
    log = [];
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => log.push(chunk.toString('utf8')));
    t = await createTestApp({}, stream);
    d = await seedDistrict(t.database.db);
    await insertCurrentYear(t.database.db, d.districtId, [d.schoolA.classId, d.schoolB.classId]);
    admin = await createUser(t.database.db, {
      grants: [{ role: 'schoolAdmin', districtId: d.districtId, orgUnitId: d.schoolA.id }],
    });
  });
  afterAll(() => t?.close());

  it('registering the same person twice finds the first registration', async () => {
    const ctx = systemCtx();
    const first = await inTransaction(ctx, (tx) =>
      registerPerson(ctx, tx, { districtId: d.districtId, name: '王芳', idNumber: ID.toLowerCase() }),
    );
    expect(first.created).toBe(true);
    expect(first.person).toMatchObject({
      name: '王芳',
      idType: '1',
      genderCode: '2',
      birthDate: '1949-12-31',
      idMasked: '110105********002X',
    });
    // Full-width digits and spaces are the same number; a different name is reported, not written.
    const second = await inTransaction(ctx, (tx) =>
      registerPerson(ctx, tx, { districtId: d.districtId, name: '王小芳', idNumber: ` ${ID} ` }),
    );
    expect(second).toMatchObject({ created: false, mismatches: ['name'] });
    expect(second.person.id).toBe(first.person.id);
    expect(second.person.name).toBe('王芳');
    const rows = await t.database.db.select().from(persons).where(eq(persons.districtId, d.districtId));
    expect(rows.filter((r) => r.idHash === first.person.idHash)).toHaveLength(1);
  });

  it('stores the number encrypted, hashed with the installation key, and masked', async () => {
    const [row] = await t.database.db.select().from(persons).where(eq(persons.name, '王芳'));
    expect(row?.idNumberEnc).toMatch(/^v1:/);
    expect(row?.idNumberEnc).not.toContain('110105');
    expect(decrypt(t.app.deps.dataKeys, row?.idNumberEnc ?? '')).toBe(ID);
    expect(row?.idHash).toBe(identityHash(t.app.deps.dataKeys, 'idNumber', ID));
  });

  it('names every bad field, without repeating the values', async () => {
    const ctx = systemCtx();
    const attempt = inTransaction(ctx, (tx) =>
      registerPerson(ctx, tx, {
        districtId: d.districtId,
        name: ' ',
        birthDate: '2030-01-01',
        ethnicityCode: '99',
        idNumber: '110101200001011234', // wrong check character
        phone: '12345',
      }),
    );
    await expect(attempt).rejects.toBeInstanceOf(DomainError);
    const error = (await attempt.catch((e: unknown) => e)) as DomainError;
    expect(error.fieldErrors.map((e) => [e.path, e.code])).toEqual([
      ['body.name', 'person.name_invalid'],
      ['body.ethnicityCode', 'person.ethnicity_unknown'],
      ['body.birthDate', 'person.birth_date_invalid'],
      ['body.idNumber', 'idNumber.check_digit'],
      ['body.phone', 'person.phone_invalid'],
    ]);
    expect(JSON.stringify(error.fieldErrors)).not.toContain('110101200001011234');
  });

  it('checks the ID number, its birth date and sex against the other fields', async () => {
    const res = await request(t.app, admin, 'POST', '/api/v1/students', {
      schoolId: d.schoolA.id,
      classId: d.schoolA.classId,
      person: { name: '错号', idNumber: ID, genderCode: '1', birthDate: '1950-01-01' },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      {
        path: 'body.person.birthDate',
        code: 'person.birth_date_mismatch',
        message: '出生日期与身份证号码中的出生日期不一致',
      },
      {
        path: 'body.person.genderCode',
        code: 'person.gender_mismatch',
        message: '性别与身份证号码不一致（第 17 位奇数为男、偶数为女）',
      },
    ]);
    const en = await request(t.app, admin, 'POST', '/api/v1/students?lang=en', {
      schoolId: d.schoolA.id,
      classId: d.schoolA.classId,
      person: { name: '错号', idNumber: '990101200001011236' },
    });
    expect(en.json().errors).toEqual([
      {
        path: 'body.person.idNumber',
        code: 'idNumber.province',
        message: 'The first two digits are not a province code',
      },
    ]);
  });

  it('lookup by ID number: only persons in the caller’s scope, audited without the number', async () => {
    const enrolled = await enrolViaApi(t.app, admin, {
      schoolId: d.schoolA.id,
      classId: d.schoolA.classId,
      person: { name: '李明', idNumber: idNumber('20180808', 21) },
    });
    const lookup = (user: TestUser, body: unknown) =>
      request(t.app, user, 'POST', '/api/v1/persons/lookup', body);
    const found = await lookup(admin, { idType: '1', idNumber: idNumber('20180808', 21) });
    expect(found.statusCode).toBe(200);
    expect(found.json().items).toEqual([
      {
        id: enrolled.person.id,
        districtId: d.districtId,
        name: '李明',
        genderCode: '1',
        birthDate: '2018-08-08',
        ethnicityCode: null,
        idType: '1',
        idMasked: `110101********${idNumber('20180808', 21).slice(-4)}`,
        phoneMasked: null,
      },
    ]);
    // The other school's administrator does not learn that the number is registered.
    const otherAdmin = await createUser(t.database.db, {
      grants: [{ role: 'schoolAdmin', districtId: d.districtId, orgUnitId: d.schoolB.id }],
    });
    expect(
      (await lookup(otherAdmin, { idType: '1', idNumber: idNumber('20180808', 21) })).json().items,
    ).toEqual([]);
    // Reading is not enough: lookup is for registration work.
    const principal = await createUser(t.database.db, {
      grants: [{ role: 'principal', districtId: d.districtId, orgUnitId: d.schoolA.id }],
    });
    expect((await lookup(principal, { idType: '1', idNumber: idNumber('20180808', 21) })).statusCode).toBe(
      403,
    );
    const bad = await lookup(admin, { idType: '1', idNumber: '110101200001011234' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0]).toMatchObject({ path: 'body.idNumber', code: 'idNumber.check_digit' });

    const [event] = await eventsOf(t.database.db, d.districtId, 'person.lookup');
    expect(event?.subjectIds).toEqual([]); // the other admin's empty lookup came last
    const events = await eventsOf(t.database.db, d.districtId, 'person.lookup');
    expect(events.map((e) => e.subjectIds)).toContainEqual([enrolled.person.id]);
  });

  it('never puts an ID number in a URL of these routes, a log line or the audit trail', async () => {
    const routes = t.app.printRoutes({ commonPrefix: false });
    const personRoutes = routes
      .split('\n')
      .filter((l) => /persons|students|classes|schools|enrolments|transfers/.test(l));
    expect(personRoutes.length).toBeGreaterThan(0);
    // Every parameter of these routes is an id (UUID); numbers travel in bodies only.
    for (const line of personRoutes) expect(line.replace(/:id\b/g, '')).not.toMatch(/:\w+/);

    await request(t.app, admin, 'POST', '/api/v1/persons/lookup', { idType: '1', idNumber: ID });
    await request(t.app, admin, 'POST', '/api/v1/students', {
      schoolId: d.schoolA.id,
      classId: d.schoolA.classId,
      person: { name: '日志', idNumber: idNumber('20170707', 31), phone: '13812345678' },
      studentNumber: `G${idNumber('20170707', 31)}`,
    });
    const everything = log.join('');
    expect(everything).toContain('/api/v1/students'); // the log did record the requests
    for (const secret of [ID, idNumber('20170707', 31), '13812345678']) {
      expect(everything).not.toContain(secret);
      expect(await auditText(t.database.db)).not.toContain(secret);
    }
  });
});
