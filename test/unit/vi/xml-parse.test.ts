import { describe, expect, it } from 'vitest';
import { XmlSyntaxError, parseXml } from '../../../src/vi/soap/xml-parse.js';

describe('SOAP XML parser', () => {
  it('builds elements with attributes, children and concatenated text', () => {
    const r = parseXml(`<?xml version="1.0"?><!-- c --><a xmlns="urn:x" k='v&amp;w'><b/>x<![CDATA[<raw>&amp;]]>y<c t="1">z</c></a>`);
    expect(r.name).toBe('a');
    expect(r.attrs).toEqual({ xmlns: 'urn:x', k: 'v&w' });
    expect(r.children.map((c) => c.name)).toEqual(['b', 'c']);
    expect(r.children[0]!.children).toEqual([]);
    expect(r.text).toBe('x<raw>&amp;y');
    expect(r.children[1]).toMatchObject({ attrs: { t: '1' }, text: 'z' });
  });

  it('decodes predefined entities and character references, and normalises line ends', () => {
    expect(parseXml('<a>&lt;&gt;&amp;&quot;&apos;&#10;&#x41;&#128512;</a>').text).toBe(`<>&"'\nA😀`);
    expect(parseXml('<a>1\r\n2\r3&#13;</a>').text).toBe('1\n2\n3\r');
  });

  it('rejects malformed documents', () => {
    for (const bad of ['<a><b></a>', '<a>', '<a x=1/>', '<a x="1></a>', '<a>&nbsp;</a>', '<a>&#xZZ;</a>', 'x<a/>', '<a/><b/>', '', '<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', '<a><!-- x</a>']) {
      expect(() => parseXml(bad), bad).toThrow(XmlSyntaxError);
    }
  });

  it('does not let a shared empty child list be modified', () => {
    const r = parseXml('<a/>');
    expect(() => r.children.push(r)).toThrow();
    expect(parseXml('<b/>').children).toHaveLength(0);
  });
});
