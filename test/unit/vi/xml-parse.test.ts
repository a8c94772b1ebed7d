import { describe, expect, it } from 'vitest';
import { XmlSyntaxError, parseXml } from '../../../src/vi/soap/xml-parse.js';

describe('SOAP XML tree (fast-xml-parser underneath)', () => {
  it('builds elements with attributes, children in order and concatenated text', () => {
    const r = parseXml(`<?xml version="1.0"?><!-- c --><a xmlns="urn:x" k='v&amp;w'><b/>x<![CDATA[<raw>&amp;]]>y<c t="1">z</c><b>2</b></a>`);
    expect(r.name).toBe('a');
    expect(r.attrs).toEqual({ xmlns: 'urn:x', k: 'v&w' });
    expect(r.children.map((c) => c.name)).toEqual(['b', 'c', 'b']);
    expect(r.children[0]!.children).toEqual([]);
    expect(r.text).toBe('x<raw>&amp;y');
    expect(r.children[1]).toMatchObject({ attrs: { t: '1' }, text: 'z' });
    expect(r.children[2]!.text).toBe('2');
  });

  it('decodes predefined entities and character references', () => {
    expect(parseXml('<a>&lt;&gt;&amp;&quot;&apos;&#10;&#x41;</a>').text).toBe(`<>&"'\nA`);
  });

  it('rejects documents an upstream must never send', () => {
    for (const bad of ['', 'garbage', '<a>', '<a><b>x</b>', '<a/><b/>', '<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', '<a><!-- x</a>']) {
      expect(() => parseXml(bad), bad).toThrow(XmlSyntaxError);
    }
    const deep = `${'<a>'.repeat(600)}${'</a>'.repeat(600)}`;
    expect(() => parseXml(deep)).toThrow(XmlSyntaxError);
  });

  it('does not let a shared empty child list be modified', () => {
    const r = parseXml('<a/>');
    expect(() => r.children.push(r)).toThrow();
    expect(parseXml('<b/>').children).toHaveLength(0);
  });
});
