import { InfluxServer } from '../../test/support/influx-server';
import { escapeRegex, exactRegex, quoteIdent, quoteString, timeLiteral } from './influxql';

describe('InfluxQL escaping', () => {
  it('quotes identifiers and strings, escaping backslash, the quote and newline', () => {
    expect(quoteIdent('ifname')).toBe('"ifname"');
    expect(quoteIdent('we"ird\\name')).toBe('"we\\"ird\\\\name"');
    expect(quoteString("it's")).toBe("'it\\'s'");
    expect(quoteString('a\\b')).toBe("'a\\\\b'");
    expect(quoteString('a"b')).toBe(`'a"b'`);
    expect(quoteString('a\nb')).toBe("'a\\nb'");
  });

  it('escapes every regex metacharacter and the / delimiter', () => {
    expect(escapeRegex('10.0.0.1')).toBe('10\\.0\\.0\\.1');
    expect(escapeRegex('a/b')).toBe('a\\/b');
    expect(escapeRegex('^$.|?*+()[]{}\\-')).toBe('\\^\\$\\.\\|\\?\\*\\+\\(\\)\\[\\]\\{\\}\\\\\\-');
    expect(exactRegex(['a.b', 'c'])).toBe('/^(?:a\\.b|c)$/');
  });

  it('refuses non-integer timestamps', () => {
    expect(timeLiteral(1000)).toBe('1000ms');
    expect(() => timeLiteral(1.5)).toThrow(RangeError);
  });
});

describe('InfluxQL escaping against a real influxd', () => {
  const server = new InfluxServer();
  const DB = 'esc';
  // Values that would change the statement if they reached it unescaped.
  const nasty = [
    `it's`,
    `say "hi"`,
    'back\\slash',
    'semi;colon',
    `'; DROP DATABASE esc; --`,
    'dot.star.*',
    'a/b',
    '(x|y)[z]{1}^$+?',
    'plain',
  ];

  beforeAll(async () => {
    await server.start();
    await server.createDatabase(DB);
    // Line protocol escapes only `,`, `=` and space in tag values.
    const lines = nasty.map((v, i) => `m,t=${v.replace(/[, =]/g, (c) => `\\${c}`)} v=${i}i ${1000 + i}`);
    lines.push(`m,t=dotXstarX v=99i 2000`, `we"ird\\m,t=x we"ird\\f=7i 3000`);
    const res = await fetch(`${server.url}/write?db=${DB}&precision=ms`, {
      method: 'POST',
      body: lines.join('\n'),
    });
    expect(res.status).toBe(204);
  });
  afterAll(() => server.destroy());

  it('string literals select exactly the tag value, whatever it holds', async () => {
    for (const [i, v] of nasty.entries()) {
      const rows = await server.rows(`SELECT "v" FROM "m" WHERE "t" = ${quoteString(v)}`, DB);
      expect(rows).toEqual([{ time: 1000 + i, v: i }]);
    }
  });

  it('regexes built with escapeRegex match the value literally', async () => {
    for (const [i, v] of nasty.entries()) {
      const rows = await server.rows(`SELECT "v" FROM "m" WHERE "t" =~ ${exactRegex([v])}`, DB);
      expect(rows).toEqual([{ time: 1000 + i, v: i }]);
    }
    expect(await server.rows(`SELECT "v" FROM "m" WHERE "t" =~ /^${escapeRegex('dot.star.*')}/`, DB)).toEqual(
      [{ time: 1005, v: 5 }],
    );
  });

  it('identifiers with quotes and backslashes round-trip, a newline parses and matches nothing', async () => {
    expect(
      await server.rows(`SELECT ${quoteIdent('we"ird\\f')} FROM ${quoteIdent('we"ird\\m')}`, DB),
    ).toEqual([{ time: 3000, 'we"ird\\f': 7 }]);
    expect(
      await server.rows(`SELECT "v" FROM "m" WHERE "t" = ${quoteString('plain\n; DROP DATABASE esc')}`, DB),
    ).toEqual([]);
    expect(await server.rows(`SELECT "v" FROM "m" WHERE "t" =~ ${exactRegex(['plain\n'])}`, DB)).toEqual([]);
    expect(await server.rows('SHOW DATABASES', DB)).toEqual([{ name: DB }]);
  });
});
