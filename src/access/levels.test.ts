import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  fieldLevelOf,
  internal,
  leafFields,
  maxLevelOf,
  personal,
  presentAtCeiling,
  publicField,
  sensitive,
  unmaskableReason,
} from './levels';

const person = z.object({
  id: internal(z.guid()),
  name: personal(z.string(), 'name'),
  birthDate: personal(z.string()).nullable(),
  idMasked: personal(z.string(), 'idNumber').nullable(),
  phone: sensitive(z.string(), 'phone').nullable(),
  school: publicField(z.string()),
  guardians: z.array(z.object({ name: personal(z.string(), 'name'), relationCode: personal(z.string()) })),
});

const value = {
  id: '6f1c2a9e-0d3b-4c55-9a7e-2b8d1f0c4e11',
  name: '张三',
  birthDate: '2015-03-07',
  idMasked: '110101********1234',
  phone: '13812345678',
  school: '东城区第一实验小学',
  guardians: [{ name: '欧阳娜娜', relationCode: '52' }],
};

describe('presentAtCeiling', () => {
  it('masks names, nulls nullable L3 fields without a mask and keeps masked identifiers masked', () => {
    expect(presentAtCeiling(person, value, 'internal')).toEqual({
      id: value.id,
      name: '张*',
      birthDate: null,
      idMasked: '110101********1234',
      phone: '138****5678',
      school: '东城区第一实验小学',
      guardians: [{ name: '欧***', relationCode: '*' }],
    });
  });

  it('walks lists of objects, at any depth', () => {
    const page = z.object({ items: z.array(z.object({ people: z.array(person) })) });
    const out = presentAtCeiling(page, { items: [{ people: [value, value] }] }, 'internal') as {
      items: { people: { name: string }[] }[];
    };
    expect(out.items[0]?.people.map((p) => p.name)).toEqual(['张*', '张*']);
  });

  it('masks only what lies above the ceiling', () => {
    const out = presentAtCeiling(person, value, 'personal') as typeof value;
    expect(out.name).toBe('张三');
    expect(out.phone).toBe('138****5678');
    const anonymous = presentAtCeiling(person, value, 'public') as typeof value;
    expect(anonymous.school).toBe(value.school);
    expect(anonymous.id).toBe('*');
  });

  it('returns the value itself when nothing can lie above the ceiling', () => {
    expect(presentAtCeiling(person, value, 'sensitive')).toBe(value);
    expect(presentAtCeiling(z.object({ id: internal(z.guid()) }), value, 'internal')).toBe(value);
  });

  it('masks records to {} and counts an undeclared field as L4', () => {
    const schema = z.object({ details: personal(z.record(z.string(), z.unknown())), note: z.string() });
    expect(maxLevelOf(schema)).toBe('sensitive');
    expect(presentAtCeiling(schema, { details: { a: 1 }, note: 'x' }, 'personal')).toEqual({
      details: { a: 1 },
      note: '*',
    });
    expect(presentAtCeiling(schema, { details: { a: 1 }, note: 'x' }, 'internal')).toEqual({
      details: {},
      note: '*',
    });
  });
});

describe('declaring levels', () => {
  it('reads a level through nullable, optional and described wrappers', () => {
    expect(fieldLevelOf(internal(z.string()).nullable().optional().describe('x'))).toEqual({
      level: 'internal',
      mask: undefined,
    });
    expect(fieldLevelOf(personal(z.string().describe('y'), 'name'))).toEqual({
      level: 'personal',
      mask: 'name',
    });
    expect(fieldLevelOf(z.string())).toBeUndefined();
  });

  it('lists leaf fields by path, containers excluded', () => {
    expect(leafFields(person).map((l) => l.path)).toEqual([
      'id',
      'name',
      'birthDate',
      'idMasked',
      'phone',
      'school',
      'guardians[].name',
      'guardians[].relationCode',
    ]);
  });

  it('refuses L3 fields a mask cannot fit', () => {
    expect(unmaskableReason(personal(z.guid()), { level: 'personal' })).not.toBeNull();
    expect(unmaskableReason(personal(z.enum(['a', 'b'])), { level: 'personal' })).not.toBeNull();
    expect(unmaskableReason(personal(z.guid()).nullable(), { level: 'personal' })).toBeNull();
    expect(unmaskableReason(internal(z.guid()), { level: 'internal' })).toBeNull();
  });
});
