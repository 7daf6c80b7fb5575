import t from 'tap';
import { tabwrite } from '../../../src/format/tabwriter.js';

// Expectations from containers/common pkg/report's tests of Podman's tabwriter
// settings (minwidth 12, tabwidth 2, padding 2, pad ' ').
t.test('aligns tab-separated cells like Go tabwriter with Podman settings', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['two columns',
      'Identity\tValue\nc061a0839e\tone\nf10fc2e11057\ttwo\n1eb6fab5aa8f4b5cbfd3e66aa35e9b2a\tthree\n',
      'Identity                          Value\nc061a0839e                        one\nf10fc2e11057                      two\n1eb6fab5aa8f4b5cbfd3e66aa35e9b2a  three\n'],
    ['column blocks end where a line has fewer cells',
      'Value\tIdent\nIdentity\tID\nValue\tIdent\nc061a0839e\tIDf10fc2e11057\tID1eb6fab5aa8f4b5cbfd3e66aa35e9b2a\tID\n',
      'Value       Ident\nIdentity    ID\nValue       Ident\nc061a0839e  IDf10fc2e11057  ID1eb6fab5aa8f4b5cbfd3e66aa35e9b2a  ID\n'],
    ['minimum width 12', 'a\tb\tc\n', 'a           b           c\n'],
    ['the last cell is never padded', 'ID\tNAME\nx\tlonger-name\n', 'ID          NAME\nx           longer-name\n'],
    ['a trailing tab pads the cell before it', 'a\t\n', 'a           \n'],
    ['lines without tabs break a block', 'a\tb\nplain line\nccccccccccccccc\td\n', 'a           b\nplain line\nccccccccccccccc  d\n'],
    ['empty cells', '\tx\ny\t\n', '            x\ny           \n'],
    ['runes, not bytes', 'héllo\tx\nab\ty\n', 'héllo       x\nab          y\n'],
    ['no final newline', 'a\tb', 'a           b'],
    ['empty input', '', ''],
  ];
  for (const [desc, input, want] of cases) t.equal(tabwrite(input), want, desc);
});

t.test('options', async (t) => {
  t.equal(tabwrite('a\tb\nccc\td\n', { minwidth: 0, padding: 1 }), 'a   b\nccc d\n');
  t.equal(tabwrite('a\tb\n', { minwidth: 4, padding: 1, padchar: '.' }), 'a...b\n');
});
