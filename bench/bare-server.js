// @ts-check
/**
 * The baselines of the HTTP load bench, as their own process: a bare fastify app (no plugins, no
 * schemas, no logger) on a bare `pg` Pool of the service's size. Plain JavaScript, so that it runs
 * the way the service runs (through tsx or as compiled JS) and costs no loader of its own.
 *
 *   GET  /healthz                         → {ok:true}; without DATABASE_URL this is all it serves
 *   POST /v1/accounts/:a/deployments/:d/servers
 *        the essential work of creating a server, in one transaction on one pooled client:
 *        read the template's links with the chosen MCI's setting for the cloud (R-SRV-2: the
 *        default link when it covers the cloud, else the first by position), insert the server,
 *        insert its audit entry
 *   PUT  /replay/:name   body [{text, values}]  → registers statements captured from the service
 *   GET  /replay/:name                     → runs them in order on one pooled client, answers the
 *                                            last one's rows as JSON
 *
 * Environment: PORT, HOST (127.0.0.1), DATABASE_URL, POOL_SIZE (10, the service's pool).
 */
import Fastify from 'fastify';
import { monotonicFactory } from 'ulid';

const nextUlid = monotonicFactory();
const newId = (/** @type {string} */ prefix) => `${prefix}_${nextUlid().toLowerCase()}`;

const app = Fastify({ logger: false });
app.get('/healthz', async () => ({ ok: true }));

if (process.env.DATABASE_URL) {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({
    connectionString: process.env.DATABASE_URL,
    max: Number(process.env.POOL_SIZE ?? 10),
  });
  pool.on('error', () => undefined);

  const CHOSEN_SETTING = `
    select l.mci_id, s.image_id, s.instance_type_id, s.user_data, i.resource_uid, c.name as cloud_name
      from server_template_mci_links l
      join mci_settings s on s.mci_id = l.mci_id and s.cloud_id = $2
      join images i on i.id = s.image_id
      join clouds c on c.id = s.cloud_id
     where l.template_id = $1
     order by l.is_default desc, l.position
     limit 1`;
  const INSERT_SERVER = `
    insert into servers (id, deployment_id, account_id, name, cloud_id, server_template_id, mci_id,
                         image_id, instance_type_id, user_data, inherited_mci, inherited_image,
                         inherited_instance_type)
    values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'template', 'mci', 'mci')
    returning *`;
  const INSERT_AUDIT = `
    insert into audit_entries (id, account_id, user_id, action, target_type, target_id, summary)
    values ($1, $2, $3, 'server.create', 'server', $4, $5)`;

  app.post('/v1/accounts/:a/deployments/:d/servers', async (req, reply) => {
    const { a, d } = /** @type {{a: string, d: string}} */ (req.params);
    const body = /** @type {{name: string, serverTemplateId: string, cloudId: string}} */ (req.body);
    const client = await pool.connect();
    try {
      await client.query('begin');
      const { rows } = await client.query(CHOSEN_SETTING, [body.serverTemplateId, body.cloudId]);
      if (rows.length === 0) {
        await client.query('rollback');
        return reply.status(400).send({ error: 'no MCI of the template covers the cloud' });
      }
      const chosen = rows[0];
      const id = newId('srv');
      const server = await client.query(INSERT_SERVER, [
        id,
        d,
        a,
        body.name,
        body.cloudId,
        body.serverTemplateId,
        chosen.mci_id,
        chosen.image_id,
        chosen.instance_type_id,
        chosen.user_data,
      ]);
      await client.query(INSERT_AUDIT, [
        newId('aud'),
        a,
        null,
        id,
        `added server "${body.name}" in ${chosen.cloud_name} (image ${chosen.resource_uid})`,
      ]);
      await client.query('commit');
      return reply.status(201).send(server.rows[0]);
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  });

  /** @type {Map<string, {text: string, values: (string | null)[]}[]>} */
  const replays = new Map();
  app.put('/replay/:name', async (req) => {
    const { name } = /** @type {{name: string}} */ (req.params);
    replays.set(name, /** @type {any} */ (req.body));
    return { ok: true };
  });
  app.get('/replay/:name', async (req, reply) => {
    const statements = replays.get(/** @type {{name: string}} */ (req.params).name);
    if (!statements) return reply.status(404).send({ error: 'no such replay' });
    const client = await pool.connect();
    try {
      let last;
      for (const s of statements) last = await client.query(s.text, s.values);
      return last?.rows ?? [];
    } finally {
      client.release();
    }
  });
  app.addHook('onClose', () => pool.end());
}

const address = await app.listen({
  port: Number(process.env.PORT ?? 0),
  host: process.env.HOST ?? '127.0.0.1',
});
process.stdout.write(`bare server listening at ${address}\n`);
for (const signal of /** @type {const} */ (['SIGTERM', 'SIGINT']))
  process.on(signal, () => void app.close().then(() => process.exit(0)));
