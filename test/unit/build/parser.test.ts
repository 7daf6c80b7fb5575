// Containerfile parsing: directives, continuations, comments, heredocs, flags,
// JSON form, stages, and errors that name the line.
import t from 'tap';
import { parseContainerfile, parseInstructionLine, ContainerfileError, flagValues, flagValue } from '../../../src/build/parser.js';

t.test('instructions, continuations, comments and JSON form', async (t) => {
  const p = parseContainerfile([
    '# syntax=docker/dockerfile:1',
    '',
    'ARG BASE=busybox',
    'FROM $BASE AS Build',
    '# a comment',
    'RUN echo a \\',
    '  # comment inside a continuation is dropped',
    '    b \\  ',
    '',
    '  c',
    'cmd ["sh", "-c", "echo hi"]',
    'ENTRYPOINT echo not json [',
    'COPY --from=build --chown=1:2 a b /dst/',
    'FROM scratch',
    'COPY --from=0 /x /y',
  ].join('\n'));
  t.same(p.directives, { syntax: 'docker/dockerfile:1' });
  t.equal(p.globalArgs.length, 1);
  t.equal(p.stages.length, 2);
  const s = p.stages[0]!;
  t.equal(s.name, 'build', 'stage names are case-insensitive');
  t.equal(s.base, '$BASE');
  t.equal(s.from.line, 4);
  const run = s.instructions[0]!;
  t.equal(run.cmd, 'RUN');
  t.equal(run.line, 6);
  t.equal(run.args, 'echo a     b   c', 'continuations join lines, keeping the continuation lines\' leading blanks');
  t.same(s.instructions[1]!.json, ['sh', '-c', 'echo hi'], 'lower-case keywords work; JSON form');
  t.equal(s.instructions[2]!.json, undefined, 'invalid JSON is shell form');
  const copy = s.instructions[3]!;
  t.same(copy.flags, [{ name: 'from', value: 'build' }, { name: 'chown', value: '1:2' }]);
  t.equal(copy.args, 'a b /dst/');
  t.equal(flagValue(copy, 'from'), 'build');
  t.equal(p.stages[1]!.name, undefined);
});

t.test('escape directive', async (t) => {
  const p = parseContainerfile('# escape=`\nFROM scratch\nRUN dir c:\\ `\n  && echo x\n');
  t.equal(p.escape, '`');
  t.equal(p.stages[0]!.instructions[0]!.args, 'dir c:\\   && echo x');
  t.throws(() => parseContainerfile('# escape=x\nFROM scratch\n'), /invalid escape token/);
  const late = parseContainerfile('FROM scratch\n# escape=`\nRUN a \\\n b\n');
  t.equal(late.escape, '\\', 'a directive after an instruction is a comment');
});

t.test('heredocs', async (t) => {
  const p = parseContainerfile([
    'FROM scratch',
    'RUN <<EOF',
    'echo one',
    '  echo two',
    'EOF',
    'RUN <<-"END" cat',
    '\techo tab',
    '\tEND',
    'COPY <<a.txt <<b.txt /dst/',
    'A $X',
    'a.txt',
    'B',
    'b.txt',
    'RUN echo after',
  ].join('\n'));
  const [r1, r2, c, r3] = p.stages[0]!.instructions;
  t.same(r1!.heredocs, [{ name: 'EOF', content: 'echo one\n  echo two\n', expand: true }]);
  t.same(r2!.heredocs, [{ name: 'END', content: 'echo tab\n', expand: false }], '<<- strips tabs; a quoted word does not expand');
  t.same(c!.heredocs.map((h) => [h.name, h.content]), [['a.txt', 'A $X\n'], ['b.txt', 'B\n']]);
  t.equal(r3!.args, 'echo after');
  t.equal(r3!.line, 14);
  t.throws(() => parseContainerfile('FROM scratch\nRUN <<EOF\necho\n'), { message: /Containerfile:2: unterminated heredoc/ });
});

t.test('flags', async (t) => {
  const p = parseContainerfile('FROM --platform=linux/amd64 scratch\nRUN --mount=type=cache,target=/c --mount=type=tmpfs,target=/t --network=none true\nHEALTHCHECK --interval=5s --retries=3 CMD true\n');
  t.equal(flagValue(p.stages[0]!.from, 'platform'), 'linux/amd64');
  const run = p.stages[0]!.instructions[0]!;
  t.same(flagValues(run, 'mount'), ['type=cache,target=/c', 'type=tmpfs,target=/t']);
  t.equal(flagValue(run, 'network'), 'none');
  t.equal(run.args, 'true');
  t.throws(() => parseContainerfile('FROM scratch\n\nRUN --bogus true\n'), { message: 'Containerfile:3: unknown flag: --bogus for RUN' });
  t.throws(() => parseContainerfile('FROM scratch\nENV --x=1\n'), /Containerfile:2: unknown flag/);
});

t.test('errors name the file and line', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['FROM scratch\nRUN true\nBOGUS x\n', /^Dockerfile:3: unknown instruction: BOGUS$/],
    ['', /Dockerfile:1: the Containerfile is empty/],
    ['# only a comment\n', /Dockerfile:1: the Containerfile is empty/],
    ['RUN true\n', /Dockerfile:1: RUN instruction before the first FROM/],
    ['ARG X\n', /no FROM instruction/],
    ['FROM a b\n', /Dockerfile:1: FROM requires either one or three arguments/],
    ['FROM a AS 1bad\n', /invalid name for build stage/],
    ['FROM a AS x\nFROM b AS X\n', /Dockerfile:2: duplicate name for build stage/],
    ['FROM a\nCOPY onlyone\n', /Dockerfile:2: COPY requires at least two arguments/],
    ['FROM a\nSHELL /bin/bash -c\n', /Dockerfile:2: SHELL requires the arguments to be in JSON form/],
    ['FROM a\nENV\n', /Dockerfile:2: ENV requires at least one argument/],
    ['FROM a\nENV X\n', /ENV must have two arguments/],
    ['FROM a\nLABEL a=1 =2\n', /LABEL names can not be blank/],
    ['FROM a\nENV A="unterminated\n', /Dockerfile:2: unmatched double quote/],
    ['FROM a\nUSER a b\n', /USER requires exactly one argument/],
    ['FROM a\nWORKDIR\n', /WORKDIR requires exactly one argument/],
    ['FROM a\nARG 1X=2\n', /invalid ARG name/],
    ['FROM a\nHEALTHCHECK true\n', /HEALTHCHECK requires NONE or CMD/],
    ['FROM a\nONBUILD ONBUILD RUN x\n', /Chaining ONBUILD/],
    ['FROM a\nONBUILD FROM x\n', /isn't allowed as an ONBUILD trigger/],
    ['FROM a\n\n\nRUN\n', /Dockerfile:4: RUN requires at least one argument/],
  ];
  for (const [text, re] of cases) {
    try {
      parseContainerfile(text, 'Dockerfile');
      t.fail(`no error for ${JSON.stringify(text)}`);
    } catch (err) {
      t.type(err, ContainerfileError);
      t.match((err as Error).message, re, JSON.stringify(text));
      t.equal((err as ContainerfileError).exitCode, 125);
    }
  }
});

t.test('ONBUILD trigger lines', async (t) => {
  const ins = parseInstructionLine('RUN echo hi', 'Containerfile', 7);
  t.equal(ins.cmd, 'RUN');
  t.equal(ins.line, 7);
  t.throws(() => parseInstructionLine('NOPE x', 'Containerfile', 7), { message: /^Containerfile:7: unknown instruction: NOPE/ });
});
