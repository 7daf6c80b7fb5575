import t from 'tap';
import { Router } from '../../../src/api/router.js';
import { ApiError } from '../../../src/api/errors.js';

t.test('version prefix', async (t) => {
  t.same(Router.splitVersion('/v1.41/containers/json'), { version: '1.41', path: '/containers/json' });
  t.same(Router.splitVersion('/v1.24/_ping'), { version: '1.24', path: '/_ping' });
  t.same(Router.splitVersion('/containers/json'), { version: undefined, path: '/containers/json' });
  t.same(Router.splitVersion('/v1/containers'), { version: undefined, path: '/v1/containers' });
});

t.test('matching: params, multi-segment image names, HEAD falls back to GET, 404 and 405', async (t) => {
  const r = new Router();
  const h = (name: string) => () => name;
  r.add('GET', '/images/json', h('list'));
  r.add('GET', '/containers/:id/json', h('inspect'));
  r.add('GET', '/images/:name+/json', h('image'));
  r.add('DELETE', '/images/:name+', h('rmi'));
  t.equal(r.match('GET', '/images/json').route.handler({} as never, {} as never), 'list', 'a fixed route wins over the image pattern');
  t.same(r.match('GET', '/containers/abc/json').params, { id: 'abc' });
  t.same(r.match('HEAD', '/containers/abc/json').params, { id: 'abc' });
  t.same(r.match('GET', '/images/127.0.0.1:5000/e2e/bb:latest/json').params, { name: '127.0.0.1:5000/e2e/bb:latest' });
  t.same(r.match('DELETE', '/images/reg/a/b:1').params, { name: 'reg/a/b:1' });
  t.same(r.match('GET', '/containers/a%2Fb/json').params, { id: 'a/b' }, 'segments are decoded');
  const status = (fn: () => unknown) => { try { fn(); return 0; } catch (e) { return e instanceof ApiError ? e.status : -1; } };
  t.equal(status(() => r.match('GET', '/nothing')), 404);
  t.equal(status(() => r.match('POST', '/containers/x/json')), 405, 'a known path with another method');
});
