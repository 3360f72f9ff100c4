import path from 'node:path';
import express, { Express } from 'express';

const GRAPHIQL_DIST = path.dirname(require.resolve('@graphql-yoga/graphiql'));

/** GraphiQL for browsers at GET /graphql, every asset served from our own server (works offline). */
export function mountPlayground(app: Express): void {
  app.use('/playground-assets', express.static(GRAPHIQL_DIST, { immutable: true, maxAge: '7d' }));
  app.get('/graphql', (req, res, next) => {
    if (req.query.query || req.accepts(['application/json', 'text/html']) !== 'text/html') return next();
    res.type('html').send(`<!doctype html>
<html><head><meta charset="utf-8"><title>Rapport GraphQL playground</title>
<link rel="stylesheet" href="/playground-assets/graphiql.css"></head>
<body style="margin:0;height:100vh"><div id="graphiql" style="height:100vh"></div>
<script src="/playground-assets/yoga-graphiql.umd.js"></script>
<script>YogaGraphiQL.renderYogaGraphiQL(document.getElementById('graphiql'), { endpoint: '/graphql', title: 'Rapport' });</script>
</body></html>`);
  });
}
