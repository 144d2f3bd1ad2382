import { describe, expect, it } from 'vitest';
import { personScope } from '../../access/person-scope';
import { noRelations, type PersonRelations, type Principal } from '../../access/principal';
import { generateActivationCode } from './guardians-service';
import { toPersonRelations } from './relations-sql';

const D = '11111111-1111-4111-8111-111111111111';
const teacher: PersonRelations = {
  ...noRelations(),
  self: [{ districtId: D, personId: 'p-teacher' }],
  headTeacherOf: [{ districtId: D, classId: 'c-1', schoolId: 's-1' }],
  teaches: [{ districtId: D, classId: 'c-2', schoolId: 's-1' }],
  staffAt: [{ districtId: D, schoolId: 's-1' }],
};
const principalWith = (relations: PersonRelations): Principal => ({
  kind: 'user',
  userId: 'u-1',
  username: 'teacher',
  displayName: '教师',
  homeDistrictId: D,
  isPlatformAdmin: false,
  grants: [],
  cityGrants: [],
  relations,
});

describe('toPersonRelations', () => {
  it('takes the json of the per-request statement as it is, and fills what is missing', () => {
    expect(toPersonRelations({ self: teacher.self, headTeacherOf: teacher.headTeacherOf })).toEqual({
      ...noRelations(),
      self: teacher.self,
      headTeacherOf: teacher.headTeacherOf,
    });
    expect(toPersonRelations(null)).toEqual(noRelations());
  });
});

describe('relations → person scope', () => {
  it('gives a head teacher the class with its guardians, a subject teacher the class without', () => {
    expect(personScope(principalWith(teacher), 'person.read')).toEqual({
      all: false,
      units: [],
      classes: [
        { districtId: D, classId: 'c-1', withGuardians: true },
        { districtId: D, classId: 'c-2', withGuardians: false },
      ],
      persons: [{ districtId: D, personId: 'p-teacher' }],
    });
    // Relationships never give changes.
    expect(personScope(principalWith(teacher), 'staff.manage')).toEqual({
      all: false,
      units: [],
      classes: [],
      persons: [],
    });
  });

  it('loses a class as soon as the next load no longer has the assignment', () => {
    const ended = toPersonRelations({ ...teacher, headTeacherOf: [], teaches: [] });
    expect(personScope(principalWith(ended), 'person.read').classes).toEqual([]);
  });

  it('gives a guardian exactly the children of relations in force', () => {
    const guardian = {
      ...noRelations(),
      self: [{ districtId: D, personId: 'p-g' }],
      guardianOf: [{ districtId: D, personId: 'p-c' }],
    };
    expect(personScope(principalWith(guardian), 'person.read').persons).toEqual([
      { districtId: D, personId: 'p-g' },
      { districtId: D, personId: 'p-c' },
    ]);
    expect(personScope(principalWith({ ...guardian, guardianOf: [] }), 'person.read').persons).toEqual([
      { districtId: D, personId: 'p-g' },
    ]);
  });
});

describe('activation codes', () => {
  it('are 8 characters without look-alikes (0/O, 1/I/L)', () => {
    const codes = Array.from({ length: 200 }, generateActivationCode);
    for (const c of codes) expect(c).toMatch(/^[2-9A-HJKMNP-Z]{8}$/);
    expect(new Set(codes).size).toBe(200);
  });
});
