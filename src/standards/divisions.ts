/**
 * GB/T 2260 administrative division codes (省/地/县, 6 digits), read from the copies of
 * modood/Administrative-divisions-of-China in ./data (国家统计局 统计用区划代码, cut-off 2022-10-31).
 * That data covers the 31 mainland provincial units only: 台湾 (71), 香港 (81), 澳门 (82) are unknown here.
 */
import { readCsvRows } from './data-files';

export type DivisionLevel = 'province' | 'city' | 'area';

export interface Division {
  /** 6-digit code, zero-padded for provinces and cities (e.g. '110000', '110100'). */
  code: string;
  name: string;
}

export interface DivisionParts {
  province: Division;
  city?: Division;
  area?: Division;
}

interface Tables {
  provinces: Map<string, string>;
  cities: Map<string, string>;
  areas: Map<string, string>;
}

let tables: Tables | undefined;

function load(): Tables {
  if (tables) return tables;
  const provinces = new Map(readCsvRows('provinces.csv').map((r) => [`${r.code}0000`, r.name ?? '']));
  const cities = new Map(readCsvRows('cities.csv').map((r) => [`${r.code}00`, r.name ?? '']));
  // Cities without counties (东莞 441900, 中山 442000, 儋州 460400) are repeated in areas.csv with an
  // '00' suffix; they are prefecture-level, so they stay in `cities` only.
  const areas = new Map(
    readCsvRows('areas.csv')
      .filter((r) => !r.code?.endsWith('00'))
      .map((r) => [r.code ?? '', r.name ?? '']),
  );
  tables = { provinces, cities, areas };
  return tables;
}

/**
 * Statistical groupings that sit in the city slot but are not names of places: the municipalities'
 * 市辖区/县 and the provinces' directly administered counties. Left out of `divisionName`.
 */
const placeholderCityNames = new Set(['市辖区', '县', '省直辖县级行政区划', '自治区直辖县级行政区划']);

/** Level of a known code: '110000' province, '110100' city, '110101' area; undefined if unknown. */
export function divisionLevel(code: string): DivisionLevel | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const { provinces, cities, areas } = load();
  if (code.endsWith('0000')) return provinces.has(code) ? 'province' : undefined;
  if (code.endsWith('00')) return cities.has(code) ? 'city' : undefined;
  return areas.has(code) ? 'area' : undefined;
}

export function isValidDivisionCode(code: string): boolean {
  return divisionLevel(code) !== undefined;
}

/** The province/city/area a code names, with names exactly as in the source data. */
export function divisionParts(code: string): DivisionParts | undefined {
  const level = divisionLevel(code);
  if (!level) return undefined;
  const { provinces, cities, areas } = load();
  const provinceCode = `${code.slice(0, 2)}0000`;
  const cityCode = `${code.slice(0, 4)}00`;
  const parts: DivisionParts = { province: { code: provinceCode, name: provinces.get(provinceCode) ?? '' } };
  if (level !== 'province') parts.city = { code: cityCode, name: cities.get(cityCode) ?? '' };
  if (level === 'area') parts.area = { code, name: areas.get(code) ?? '' };
  return parts;
}

/** Full name, province first, space-separated: '北京市 东城区', '广东省 东莞市', '河北省 石家庄市 长安区'. */
export function divisionName(code: string): string | undefined {
  const parts = divisionParts(code);
  if (!parts) return undefined;
  const { province, city, area } = parts;
  const names = [province.name];
  if (city && !placeholderCityNames.has(city.name)) names.push(city.name);
  if (area) names.push(area.name);
  return names.join(' ');
}

/** True when `child` lies inside `parent` (or is it): '110101' is within '110000' and '110100'. */
export function isWithin(child: string, parent: string): boolean {
  const childLevel = divisionLevel(child);
  const parentLevel = divisionLevel(parent);
  if (!childLevel || !parentLevel) return false;
  const prefixLength = { province: 2, city: 4, area: 6 }[parentLevel];
  return child.slice(0, prefixLength) === parent.slice(0, prefixLength);
}
