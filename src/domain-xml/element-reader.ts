// Reads one element for the domain parser and remembers what it consumed, so everything the
// model does not cover is reported by path instead of being dropped silently (libvirt ignores
// unknown XML; an HTTP API should say so).
import { ConversionError } from '../domain/errors.js';
import type { XmlElement } from './xml-reader.js';

export class ElementReader {
  private readonly usedAttrs = new Set<string>();
  private readonly usedChildren = new Set<XmlElement>();
  private textUsed = false;

  constructor(
    readonly element: XmlElement,
    private readonly unsupported: string[],
  ) {}

  get path(): string {
    return this.element.path;
  }

  invalid(message: string, attr?: string): ConversionError {
    const path = attr === undefined ? this.path : `${this.path}/@${attr}`;
    return new ConversionError('xml-invalid', `${message} (${path})`, { path });
  }

  attr(name: string): string | undefined {
    this.usedAttrs.add(name);
    return this.element.attrs[name];
  }

  requiredAttr(name: string): string {
    const value = this.attr(name);
    if (value === undefined) throw this.invalid(`Missing attribute '${name}'`, name);
    return value;
  }

  enumAttr<T extends string>(name: string, values: readonly T[]): T | undefined {
    const value = this.attr(name);
    if (value === undefined) return undefined;
    if (!(values as readonly string[]).includes(value)) {
      throw this.invalid(`Unsupported value '${value}' for attribute '${name}', expecting ${values.map((v) => `'${v}'`).join(', ')}`, name);
    }
    return value as T;
  }

  intAttr(name: string, min = 0): number | undefined {
    const value = this.attr(name);
    if (value === undefined) return undefined;
    return this.toInt(value, min, `attribute '${name}'`, name);
  }

  toInt(value: string, min: number, what: string, attr?: string): number {
    const trimmed = value.trim();
    const n = /^[+-]?\d+$/.test(trimmed) ? Number(trimmed) : NaN;
    if (!Number.isSafeInteger(n) || n < min) throw this.invalid(`Invalid integer '${value}' for ${what}`, attr);
    return n;
  }

  yesNoAttr(name: string): boolean | undefined {
    const value = this.enumAttr(name, ['yes', 'no', 'on', 'off']);
    return value === undefined ? undefined : value === 'yes' || value === 'on';
  }

  /** The first child of that name (libvirt reads the first; further ones are reported). */
  child(name: string): ElementReader | undefined {
    const found = this.element.children.find((c) => c.name === name);
    if (!found) return undefined;
    this.usedChildren.add(found);
    return new ElementReader(found, this.unsupported);
  }

  children(name: string): ElementReader[] {
    return this.element.children
      .filter((c) => c.name === name)
      .map((c) => {
        this.usedChildren.add(c);
        return new ElementReader(c, this.unsupported);
      });
  }

  /** An empty flag element such as <readonly/>: true when present. */
  flag(name: string): boolean | undefined {
    const child = this.child(name);
    if (!child) return undefined;
    child.done();
    return true;
  }

  text(): string {
    this.textUsed = true;
    return this.element.text;
  }

  /** Text of a child element, or undefined; the child may carry no attributes. */
  childText(name: string): string | undefined {
    const child = this.child(name);
    if (!child) return undefined;
    const text = child.text();
    child.done();
    return text;
  }

  /** Reports every attribute, child and text this reader did not consume. */
  done(): void {
    for (const name of Object.keys(this.element.attrs)) {
      if (!this.usedAttrs.has(name)) this.unsupported.push(`${this.path}/@${name}`);
    }
    for (const child of this.element.children) {
      if (!this.usedChildren.has(child)) this.unsupported.push(child.path);
    }
    if (!this.textUsed && this.element.text.trim() !== '') this.unsupported.push(`${this.path}/text()`);
  }
}
