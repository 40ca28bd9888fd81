import ts from "typescript";

/**
 * Turns any name from a document (`find pet by id`, `get-board`, `Links-Self`) into a valid,
 * non-reserved TypeScript identifier, keeping its words: `findPetById`, `getBoard`, `Links_Self`.
 * `camel` joins words in camelCase (operation ids); otherwise invalid characters become `_`.
 */
export function toIdentifier(name: string, options: { camel?: boolean } = {}): string {
  let out: string;
  if (options.camel) {
    // `list things`, `get-thing`, `repos/get-content`, `200_tree` → listThings, getThing, reposGetContent, op200Tree.
    const words = name.split(/[^A-Za-z0-9]+/).filter((w) => w.length > 0);
    out = words.map((w, i) => (i === 0 ? w.charAt(0).toLowerCase() + w.slice(1) : w.charAt(0).toUpperCase() + w.slice(1))).join("");
    if (/^[0-9]/.test(out)) out = `op${out}`;
  } else {
    out = name.replace(/[^A-Za-z0-9_$]/g, "_");
  }
  if (out.length === 0) out = "_";
  if (/^[0-9]/.test(out)) out = `_${out}`;
  // Reserved words (and strict-mode future reserved words) cannot name a const.
  if (ts.identifierToKeywordKind(ts.factory.createIdentifier(out)) !== undefined) out = `${out}_`;
  return out;
}

/**
 * Hands out unique identifiers: a second `Pet` becomes `Pet_2` (`getThing2` with separator `""`,
 * camelCase kept). `reserved` names are never handed out.
 */
export class IdentifierPool {
  private readonly used = new Set<string>();

  constructor(reserved: readonly string[] = [], private readonly separator = "_") {
    for (const name of reserved) this.used.add(name);
  }

  take(wanted: string): string {
    let name = wanted;
    for (let i = 2; this.used.has(name); i++) name = `${wanted}${this.separator}${i}`;
    this.used.add(name);
    return name;
  }
}
