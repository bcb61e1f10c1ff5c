// PostGraphile 5 (package.json pins it) serving the bench database over GraphQL, as a team would run it:
// the amber preset over the public schema, the pg adaptor, grafserv on Node's own http server. No policy:
// PostGraphile sees every row the database user may read (`make bench` says so in its results).
//
//   node_modules/.bin/node server.mjs --port 5678      serve POST /graphql on 127.0.0.1:5678 until SIGTERM
//   node_modules/.bin/node server.mjs --print-schema   print the schema it builds (SDL) and exit
//
// Node 22 from the npm `node` package (package.json): PostGraphile 5 needs it (Promise.withResolvers).
// The database: BENCH_POSTGRAPHILE_DSN, a postgresql:// connection string (the one bench/baseline.py gets).
// bench/contributions_page.py installs (`npm ci`) and starts it.
import { createServer } from "node:http";
import { parseArgs } from "node:util";

import { postgraphile } from "postgraphile";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";
import { lexicographicSortSchema, printSchema } from "postgraphile/graphql";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";

const { values } = parseArgs({
  options: { port: { type: "string" }, "print-schema": { type: "boolean", default: false } },
});

const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({
      connectionString: process.env.BENCH_POSTGRAPHILE_DSN,
      schemas: ["public"],
      // pg's default pool, as bench/baseline.py's asyncpg pool: up to 10 connections
      poolConfig: { max: 10 },
      pubsub: false,
    }),
  ],
  grafserv: { graphiql: false, watch: false, websockets: false },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);

if (values["print-schema"]) {
  const schema = await pgl.getSchema();
  process.stdout.write(printSchema(lexicographicSortSchema(schema)) + "\n");
  await pgl.release();
} else {
  const server = createServer();
  const serv = pgl.createServ(grafserv);
  await serv.addTo(server);
  await pgl.getSchema(); // introspected before the first request, as after any start-up
  server.listen({ host: "127.0.0.1", port: Number(values.port) }, () => {
    console.log(`listening on ${server.address().port}`);
  });
  process.on("SIGTERM", () => server.close(() => pgl.release()));
}
