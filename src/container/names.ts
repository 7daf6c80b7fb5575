// Random container names, Docker style (adjective_noun).
import { randomInt } from '../util/random.js';

const ADJ = ['admiring', 'agitated', 'amazing', 'awesome', 'blissful', 'bold', 'brave', 'busy', 'clever', 'cool', 'dazzling', 'determined', 'eager', 'ecstatic', 'elegant', 'epic', 'festive', 'focused', 'friendly', 'gallant', 'gifted', 'goofy', 'happy', 'hopeful', 'inspiring', 'jolly', 'keen', 'kind', 'laughing', 'lucid', 'magical', 'modest', 'musing', 'nice', 'nifty', 'optimistic', 'peaceful', 'practical', 'quirky', 'relaxed', 'serene', 'sharp', 'stoic', 'sweet', 'tender', 'trusting', 'upbeat', 'vibrant', 'wizardly', 'youthful', 'zealous'];
const NOUN = ['albattani', 'babbage', 'bardeen', 'bell', 'bohr', 'cannon', 'curie', 'darwin', 'dijkstra', 'einstein', 'euclid', 'fermat', 'feynman', 'galileo', 'gauss', 'hopper', 'hypatia', 'johnson', 'kepler', 'knuth', 'lamarr', 'lovelace', 'mayer', 'mccarthy', 'meitner', 'newton', 'noether', 'pascal', 'pike', 'ritchie', 'shannon', 'sinoussi', 'thompson', 'torvalds', 'turing', 'volhard', 'wozniak', 'yalow'];

export function randomName(taken: (n: string) => boolean): string {
  for (let i = 0; i < 50; i++) {
    const n = `${ADJ[randomInt(ADJ.length)]}_${NOUN[randomInt(NOUN.length)]}`;
    if (!taken(n)) return n;
  }
  return `${ADJ[randomInt(ADJ.length)]}_${NOUN[randomInt(NOUN.length)]}${randomInt(1000)}`;
}

const VALID = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
export function validName(n: string): boolean { return VALID.test(n); }
