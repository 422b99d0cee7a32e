/** Small readers over a minimised payload, whose fields may all be absent. */
export type Json = Record<string, unknown>;

export function obj(value: unknown): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

export function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.map(obj).filter((v): v is Json => v !== undefined) : [];
}

/** Copies the present fields under new names; absent fields stay absent rather than becoming null. */
export function rename(source: Json | undefined, names: Record<string, string>): Json {
  const out: Json = {};
  if (!source) return out;
  for (const [from, to] of Object.entries(names)) if (source[from] !== undefined) out[to] = source[from];
  return out;
}

export function compact(value: Json): Json {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0) && !(obj(v) && Object.keys(v as Json).length === 0)),
  );
}

const PERSON_NAMES = { personId: 'ref', role: 'rol', name: 'naam', dateOfBirth: 'geboortedatum', bsn: 'bsn' };
const ADDRESS_NAMES = { street: 'straat', houseNumber: 'huisnummer', postcode: 'postcode', municipality: 'woonplaats' };
const CONTACT_NAMES = { name: 'naam', phone: 'telefoon', email: 'email' };

/** A person in Dutch field names, with the address when the policy let it through. */
export function person(source: Json): Json {
  return compact({ ...rename(source, PERSON_NAMES), adres: obj(source.address) && rename(obj(source.address), ADDRESS_NAMES) });
}

export function contact(source: unknown): Json | undefined {
  return obj(source) && rename(obj(source), CONTACT_NAMES);
}
