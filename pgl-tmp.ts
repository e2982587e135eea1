import { PGlite } from '@electric-sql/pglite';
let t = Date.now();
const a = new PGlite();
await a.query('create table x(id int)'); await a.query('insert into x values (1)');
console.log('init', Date.now() - t); t = Date.now();
const dump = await a.dumpDataDir('none');
console.log('dump', Date.now() - t, dump.size); t = Date.now();
const b = new PGlite({ loadDataDir: dump });
console.log((await b.query('select * from x')).rows, 'load', Date.now() - t); t = Date.now();
const c = await a.clone();
console.log((await c.query('select * from x')).rows, 'clone', Date.now() - t);
try { await b.query('insert into x values (1); insert into nope values(1)') } catch (e: any) { console.log('err', e.code, e.constructor.name) }
await b.exec('create unique index on x(id)');
try { await b.query('insert into x values (1)') } catch (e: any) { console.log('err', e.code, e.constructor.name, e.detail, e.constraint) }
