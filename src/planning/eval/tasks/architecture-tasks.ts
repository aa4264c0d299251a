/**
 * Architecture: a decision between stated options under stated constraints. The constraints are
 * written so that one option is clearly the right one (a budget, a team size, a request timeout),
 * so a rule checks the RECOMMENDATION line; a judge checks that the trade-offs and the risks of
 * the choice are weighed, not just named.
 */
import type { EvalTask } from "../eval-task.js";
import { paragraphs } from "./task-text.js";

function architectureTask(task: {
  id: string;
  title: string;
  situation: string;
  constraints: string[];
  options: Record<"A" | "B" | "C", string>;
  recommendation: "A" | "B" | "C";
  points: string[];
  reference: string;
  wrong: string;
}): EvalTask {
  return {
    id: task.id,
    kind: "architecture",
    title: task.title,
    prompt: paragraphs(
      task.situation,
      `Constraints:\n${task.constraints.map((line) => `- ${line}`).join("\n")}`,
      `Options:\n${Object.entries(task.options)
        .map(([letter, option]) => `${letter}) ${option}`)
        .join("\n")}`,
      "Weigh the options against the constraints, name the risks of your choice and how to contain them, and end with a line `RECOMMENDATION: <A, B or C>`.",
    ),
    maxTokens: 1_500,
    check: {
      type: "text",
      rules: [{ rule: "verdicts", expected: { RECOMMENDATION: task.recommendation } }],
      judge: { points: task.points },
    },
    reference: task.reference.trim(),
    wrong: task.wrong.trim(),
  };
}

export const ARCHITECTURE_TASKS: readonly EvalTask[] = [
  architectureTask({
    id: "arch-small-saas-database",
    title: "a database for a small SaaS",
    situation: "We are choosing the database for a new internal-facing SaaS tool.",
    constraints: [
      "About 200 users, a few writes per second at peak.",
      "Total infrastructure budget: $10 per month; one small VPS already runs the app.",
      "One developer; no separate database server to operate.",
      "The data is relational, and product people run ad hoc SQL reports.",
      "We must be able to restore to any point in the last 7 days.",
    ],
    options: {
      A: "Managed PostgreSQL from a cloud provider (from $15/month).",
      B: "SQLite on the app's VPS, replicated continuously to object storage with Litestream.",
      C: "DynamoDB.",
    },
    recommendation: "B",
    points: [
      "SQLite handles this load (a few writes per second, one writer) and needs no server to run",
      "Litestream gives continuous backup to object storage and point-in-time restore for a few cents",
      "managed PostgreSQL breaks the $10 budget; DynamoDB is poor for relational data and ad hoc SQL",
      "risk named: one app server / single writer; migrate to PostgreSQL if it must scale out",
    ],
    reference: `
- **A (managed PostgreSQL)** is the most conventional choice, but from $15/month it alone breaks the $10 budget.
- **C (DynamoDB)** fits neither relational data nor ad hoc SQL reports; every new report becomes an access-pattern design problem.
- **B (SQLite + Litestream)**: a few writes per second from 200 users is far within SQLite's single-writer limit (WAL mode); nothing extra to operate; Litestream streams the WAL to object storage for a few cents a month and restores to any point in time, covering the 7-day requirement. SQL reports work as they are.

Risks of B and how to contain them: only one app server can write, so scaling out means moving to PostgreSQL — keep to standard SQL so that move stays cheap; test a Litestream restore monthly; reports must not hold long write locks (run them on a restored copy if they grow).

RECOMMENDATION: B`,
    wrong: `
PostgreSQL is the industry standard for relational data, with the best tooling and reporting support. The extra $5 a month is negligible compared to developer time.

RECOMMENDATION: A`,
  }),
  architectureTask({
    id: "arch-email-sending",
    title: "sending transactional email at volume",
    situation: "Sign-up and notification emails are sent synchronously in the web request today.",
    constraints: [
      "50,000 emails a day, with spikes of 100,000 in an hour after marketing campaigns.",
      "Sign-up must never wait on or fail because of the email provider.",
      "Failed sends are retried with backoff; nothing is sent twice.",
      "Redis is already in production.",
    ],
    options: {
      A: "A cron job every minute that scans an emails table for unsent rows.",
      B: "A job queue on the existing Redis (e.g. BullMQ) with worker processes.",
      C: "Keep sending in the request, with a shorter timeout.",
    },
    recommendation: "B",
    points: [
      "a queue decouples sign-up from the provider and absorbs campaign spikes with workers",
      "retries with backoff are built into the queue; idempotency (a job/message id) prevents double sends",
      "cron polling adds up to a minute of latency and struggles with 100k/hour spikes and concurrent workers; C keeps the coupling",
      "risk named: Redis durability/persistence or a dead-letter queue for jobs that keep failing",
    ],
    reference: `
- **C** keeps sign-up coupled to the provider: a slow or failing provider still slows or fails sign-up.
- **A** decouples, but polling adds up to a minute of delay, and 100,000 emails in an hour need several concurrent workers claiming rows safely — reinventing a queue on a table.
- **B** decouples sign-up (enqueue and return), absorbs spikes by adding workers, and has retries with exponential backoff built in; a deterministic job id (e.g. "welcome:<user id>") makes a retried enqueue idempotent, and the provider's idempotency key prevents double sends.

Risks: Redis must persist (AOF) or a crash loses queued jobs; jobs that keep failing go to a dead-letter queue with an alert; watch queue depth during campaigns.

RECOMMENDATION: B`,
    wrong: `
A cron job is the simplest and most reliable: the emails table is the source of truth and a minute of delay is fine for email.

RECOMMENDATION: A`,
  }),
  architectureTask({
    id: "arch-monolith-split",
    title: "a slow monolith",
    situation:
      "Our Rails monolith's test suite takes 40 minutes and deploys are slow. Someone proposes microservices.",
    constraints: [
      "A team of 4 engineers.",
      "One product with tightly related features (billing, accounts, reporting).",
      "No platform team; nobody on call for infrastructure.",
    ],
    options: {
      A: "Split the monolith into 6 microservices.",
      B: "Keep one deployable: enforce module boundaries inside the monolith and parallelise and split the test suite.",
      C: "Rewrite the product in Go.",
    },
    recommendation: "B",
    points: [
      "the problem is test and deploy time, which parallelising/splitting the suite fixes without a distributed system",
      "6 services for 4 engineers without a platform team multiplies operational work (deploys, monitoring, network failures, data consistency)",
      "module boundaries inside the monolith keep the option of extracting a service later",
      "a rewrite (C) is high risk and does not address the stated problem",
    ],
    reference: `
The stated problem is a 40-minute test suite and slow deploys — not scaling or team independence.

- **A**: six services for four engineers with no platform team means six pipelines, network calls where function calls were, distributed data consistency (billing ↔ accounts) and on-call for all of it. It also does not make tests faster by itself.
- **C**: a rewrite stops feature work for months and carries the most risk, and slow tests are not Ruby's fault.
- **B** attacks the problem directly: run the suite in parallel (e.g. 8 CI workers: ~5 minutes), split slow system tests from unit tests, and enforce module boundaries (packwerk) so modules can be extracted later if a real need appears.

Risk: boundaries erode without enforcement — run the boundary check in CI.

RECOMMENDATION: B`,
    wrong: `
Microservices let each part be deployed and tested independently, so each test suite is small and fast. It is the modern approach.

RECOMMENDATION: A`,
  }),
  architectureTask({
    id: "arch-catalog-cache",
    title: "caching a read-heavy catalog",
    situation: "The product catalog API is read-heavy and the database is near its limit.",
    constraints: [
      "2,000 reads per second, 10 catalog updates per minute.",
      "A product change may take up to 60 seconds to show.",
      "3 app servers.",
      "No new infrastructure this quarter.",
    ],
    options: {
      A: "An in-process cache on each app server with a 60-second TTL.",
      B: "A Redis cache with invalidation on every write.",
      C: "No cache; add database read replicas.",
    },
    recommendation: "A",
    points: [
      "60 seconds of staleness is allowed, so a per-server TTL cache is correct without invalidation",
      "B and C both add infrastructure, which is ruled out this quarter",
      "the load on the database drops to about one refresh per key per server per minute",
      "risk named: a cold start or many keys expiring at once (stampede) — mitigate with jitter or single-flight refresh, and bound the memory",
    ],
    reference: `
- **B** and **C** both add infrastructure (a Redis cluster, replicas), which is ruled out this quarter; B's invalidation is also unnecessary when 60 s of staleness is acceptable.
- **A** meets every constraint: with a 60 s TTL a product change shows within a minute on every server, and the database sees at most one refresh per key per server per minute instead of 2,000 reads a second.

Risks: all keys expiring together after a deploy (a stampede) — add TTL jitter and single-flight loading; memory — bound the cache by size (LRU); three servers may briefly show different versions, which the 60 s rule allows.

RECOMMENDATION: A`,
    wrong: `
Redis is the standard solution for caching and gives consistency across servers through invalidation.

RECOMMENDATION: B`,
  }),
  architectureTask({
    id: "arch-large-uploads",
    title: "uploading large videos",
    situation: "Users will upload training videos to our platform.",
    constraints: [
      "Videos are up to 2 GB.",
      "App servers sit behind a load balancer with a 30-second request timeout.",
      "Uploads must survive flaky connections.",
      "Videos are transcoded after upload.",
    ],
    options: {
      A: "Upload through the app servers, which write to disk and then to storage.",
      B: "Upload directly from the browser to object storage with presigned (multipart) URLs; a notification queues the transcoding.",
      C: "An FTP server for uploads.",
    },
    recommendation: "B",
    points: [
      "2 GB through the app servers hits the 30-second timeout and ties up app servers",
      "presigned multipart uploads go straight to storage, and parts can be retried on flaky connections",
      "an event/queue after upload triggers transcoding asynchronously",
      "risk named: validate size/type and authorisation when issuing URLs; clean up abandoned multipart uploads",
    ],
    reference: `
- **A** fails on the constraints: a 2 GB upload takes far longer than the 30-second load balancer timeout, and it ties up app servers and their disks.
- **C** FTP is unencrypted by default, awkward in browsers, and needs its own server.
- **B**: the app only issues presigned URLs; the browser uploads straight to object storage in multipart chunks, each retried on its own, so flaky connections resume instead of restarting. The storage's upload-complete event puts a transcoding job on a queue.

Risks: issue URLs only to authorised users with a size limit and content type; expire the URLs; a lifecycle rule aborts abandoned multipart uploads; verify the file type before transcoding.

RECOMMENDATION: B`,
    wrong: `
Uploading through the app servers keeps things simple and lets us validate the file before storing it. We can raise the load balancer timeout.

RECOMMENDATION: A`,
  }),
  architectureTask({
    id: "arch-tenant-isolation",
    title: "tenant isolation for a B2B SaaS",
    situation:
      "Our B2B SaaS has 300 tenants in one shared database. Enterprise deals now come with isolation demands.",
    constraints: [
      "5 enterprise tenants contractually require their data in a dedicated database in the EU.",
      "The other 295 tenants are small and have no such requirement.",
      "A team of 6 engineers runs operations.",
    ],
    options: {
      A: "Keep one shared schema with a tenant_id on every table.",
      B: "A separate database for every one of the 300 tenants.",
      C: "Shared schema for most tenants, plus dedicated EU databases for the tenants that require them, selected by a tenant routing layer.",
    },
    recommendation: "C",
    points: [
      "A cannot meet the contractual requirement for dedicated EU databases",
      "B means operating 300 databases (migrations, backups, monitoring) for a team of 6, for no requirement",
      "C meets the contracts where needed and keeps the rest simple, with a routing layer choosing the database per tenant",
      "risk named: two deployment shapes — migrations must run on every database; test the dedicated path continuously",
    ],
    reference: `
- **A** cannot satisfy the five contracts: their data must be in a dedicated EU database.
- **B** satisfies them but makes six engineers run 300 databases — 300 migrations per release, 300 backups to verify — for 295 tenants that asked for nothing.
- **C** gives the five enterprise tenants dedicated EU databases and keeps everyone else shared; a tenant routing layer picks the connection per request.

Risks: two shapes of deployment drift apart — run every migration through one tool against all databases, and keep a test tenant on a dedicated database in CI; routing mistakes would leak data, so resolve the tenant once per request and make tenant_id checks remain in the shared schema.

RECOMMENDATION: C`,
    wrong: `
Isolation should be consistent for everyone: a database per tenant is the cleanest model and makes every tenant enterprise-ready.

RECOMMENDATION: B`,
  }),
];
