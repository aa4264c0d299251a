/**
 * The reference setup (shared/reference-setup.md) as a config file. With no file at all, this is
 * the effective config; a user's file is merged over it, so changing one model is one line.
 * Written as YAML so `switchyard config init` can print exactly what a user starts from.
 */

export const DEFAULT_CONFIG_YAML = `# Switchyard configuration. Every key is optional: anything left out keeps the default shown here.
# \${VAR} and \${VAR:-fallback} are read from the environment and from a .env file.

server:
  host: 127.0.0.1          # a non-loopback address (0.0.0.0) needs at least one auth token
  port: 8787
  auth_tokens: []          # bearer tokens callers must send, e.g. ["\${SWITCHYARD_TOKEN}"]
  auth_tokens_file: \${SWITCHYARD_TOKEN_FILE:-}  # a 0600 file of tokens, one a line (switchyard setup brain writes one)
  body_limit_mb: 32
  allowed_hosts: []        # names besides this machine's own that the dashboard and /mcp answer to (e.g. brain.example.net)

backends:
  engine:                  # the Engine: Ollama on the inference box
    type: ollama
    base_url: \${OLLAMA_BASE_URL:-http://localhost:11434}
    # The profile that keeps both 32B models resident on the reference 64 GB Engine, with the
    # local windows below; \`switchyard engine profile --memory-gb N --write\` fits another machine.
    slots: 2               # requests per model at once: OLLAMA_NUM_PARALLEL on the Engine
    memory_gb: 64          # the machine's memory
    gpu_memory_gb: 56      # what its GPU may use: macOS's iogpu.wired_limit_mb (GB × 1024; by default ~75% of memory)
    kv_cache_type: q8_0    # OLLAMA_KV_CACHE_TYPE=q8_0 with OLLAMA_FLASH_ATTENTION=1 on the Engine
    warm: true             # load every served model with keep_alive -1 at start and after a restart
    # serves: [local-coder, local-reasoner]  # default: the aliases whose backend is this one
    # max_loaded_models: 2 # default: learned from warm-up (OLLAMA_MAX_LOADED_MODELS, or what memory holds)
    queue: { max_wait_ms: 30000, max_depth: 64, on_timeout: next-rung }  # on_timeout: next-rung or error
    health: { poll_interval_ms: 15000, failure_threshold: 3, half_open_after_ms: 20000 }
    busy_retry: { attempts: 2, delay_ms: 500 }  # Ollama's own 503 "server busy"
  # engine-2:              # a second Engine is one entry; name the aliases it serves
  #   type: ollama
  #   base_url: http://engine-2.local:11434
  #   serves: [local-coder, local-reasoner]
  openrouter:              # the paid tiers
    type: openai-compatible
    flavor: openrouter
    base_url: \${OPENROUTER_BASE_URL:-https://openrouter.ai/api/v1}
    api_key: \${OPENROUTER_API_KEY:-}
    headers:
      HTTP-Referer: https://github.com/switchyard-dev/switchyard
      X-Title: Switchyard

aliases:
  local-coder:
    backend: engine
    model: qwen2.5-coder:32b
    tier: 1
    context_window: 32768  # sent to Ollama as num_ctx; qwen2.5-coder's trained maximum, room for a Claude Code turn
    keep_alive: -1         # keep the model loaded: no swapping delays
    think: false           # qwen2.5-coder has no thinking mode; Ollama refuses think: true for it
    escalate_to: cloud-sonnet
  local-reasoner:
    backend: engine
    model: deepseek-r1:32b
    tier: 1
    context_window: 12288  # what the memory leaves beside the coder's window (switchyard engine profile)
    keep_alive: -1
    think: true            # reasoning comes back separately from the answer
    tools: false           # deepseek-r1 cannot call tools: tool-using requests go to local-coder
    escalate_to: cloud-sonnet
  cloud-sonnet:
    backend: openrouter
    model: anthropic/claude-sonnet-4.5
    tier: 2
    context_window: 200000
    escalate_to: cloud-opus
  cloud-opus:
    backend: openrouter
    model: anthropic/claude-opus-4.6
    tier: 3
    context_window: 200000

# Where each task kind starts; the ladder follows escalate_to from there.
tasks:
  code-generation: { alias: local-coder }
  test-generation: { alias: local-coder }
  lint: { alias: local-coder }
  commit-message: { alias: local-coder }
  refactoring: { alias: local-coder }
  story-drafting: { alias: local-reasoner }
  backlog-grooming: { alias: local-reasoner }
  bug-hunting: { alias: local-reasoner }
  elaboration: { alias: local-reasoner }
  gap-analysis: { alias: cloud-sonnet }
  code-review: { alias: cloud-sonnet }
  decision-gate: { alias: cloud-sonnet }
  qa-verification: { alias: cloud-sonnet }
  architecture: { alias: cloud-opus }
  conflict-resolution: { alias: cloud-opus }

routing:
  fallback: true           # on a failure before the first byte, move up the ladder

# Claude Code on the tiers: what each Claude model name it asks for means. A value is "classify"
# (task classifier picks the task and its ladder), "tier1"/"tier2"/"tier3", an alias or a task kind.
claude_code:
  haiku: tier1             # haiku names and Claude Code's background work (titles, labels, quota probes)
  sonnet: classify         # a commit message asked of "sonnet" still runs locally
  opus: classify           # "cloud-opus" pins Opus
  ping_interval_ms: 5000   # Anthropic streams: a ping this often while a model loads
  first_byte_wait_ms: 250  # Anthropic streams: how long a back end may take before message_start is sent

# Money: hard caps on paid (cloud) traffic. Local models cost nothing and are never capped.
budget:
  monthly_usd: 100         # the hard monthly total
  aliases:                 # ceilings inside it
    cloud-sonnet: 60
    cloud-opus: 30
  reset_day: 1             # the budget period starts on this day (1-28) at midnight
  time_zone: UTC           # IANA zone the reset is counted in
  on_exhausted: downgrade  # downgrade (run on a local model instead) or reject (HTTP 402)
  downgrade_to: ""         # a local alias; empty: local-coder for code tasks, local-reasoner otherwise
  alert_thresholds: [50, 80, 100]   # percent of each budget; each fires once per period
  alerts:
    log: true
    webhooks: []           # - { url: https://ntfy.sh/my-topic, format: ntfy }  (json, ntfy or slack)
  key_check_interval_minutes: 5     # OpenRouter key credit check; the lower of the two remainders rules
  max_request_minutes: 60  # a reservation older than this is abandoned
  catalog:                 # prices and context lengths, synced from OpenRouter
    path: ""               # empty: model-catalog.json in the data directory
    max_age_hours: 24
    sync_on_start: true
  subscription_usd: 200    # what the savings report compares against
  electricity:             # the two always-on boxes, for the savings report
    watts: { engine: 100, brain: 30 }
    hours_per_day: 24
    usd_per_kwh: 0.15

# Quality gates per task kind, cheapest first: structural checks (empty, cut off, refusal, loops,
# invalid JSON or tool calls) run for every task unless structural: false; executable checks run
# commands on the answer's code in a scratch directory (auto: each file by its language, with the
# toolchains found: node --check, tsc, python3 -m py_compile); a judge model scores the answer
# 0-10 (alias: next, the rung above the one that answered; local, the other local model, free; or
# an alias). The defaults: code tasks are checked by language, drafting and reasoning work is
# graded by the other local model (only answers from tier 1). Set a gate to false to turn it off,
# or name your own:
#   code-generation:
#     executable: { commands: ["tsc --noEmit --strict answer.ts"], timeout_ms: 60000 }
#   gap-analysis:
#     judge: { alias: next, threshold: 7 }    # a paid judge: Opus grades Sonnet's analysis
gates:
  code-generation: { executable: { auto: true } }
  test-generation: { executable: { auto: true } }
  refactoring: { executable: { auto: true } }
  lint: { executable: { auto: true } }
  story-drafting: { judge: { alias: local, threshold: 6, tiers: [1] } }
  backlog-grooming: { judge: { alias: local, threshold: 6, tiers: [1] } }
  bug-hunting: { judge: { alias: local, threshold: 6, tiers: [1] } }
  elaboration: { judge: { alias: local, threshold: 6, tiers: [1] } }

# On a failed gate the request climbs one rung of its task's ladder, with the findings.
escalation:
  enabled: true            # false: gates still run and are recorded, nothing is re-asked
  max_hops: 2              # local -> sonnet -> opus at most
  buffer_streams: false    # true: gate streamed answers before sending them (escalation on streams)
  allow_check_header: false  # x-switchyard-check runs caller-named commands on the Brain
  check_timeout_ms: 60000
  feedback_answer_chars: 4000  # how much of a rejected answer the next rung sees
  opus_share:              # keep Opus near the reference setup's ~5% of calls
    target: 0.05
    window_minutes: 1440
    min_requests: 20
    borderline_confidence: 0.6  # classifier tier-3 picks below this start on Sonnet when over target
  calibration:             # switchyard calibrate
    days: 30
    min_samples: 30
    move_down_at: 0.9      # lower 95% bound of the cheaper alias's pass rate
    move_up_below: 0.5     # upper 95% bound of the starting alias's pass rate

# MCP servers whose tools models may use, each named tools <server>.<tool> (git.status). Nothing
# is exposed until it is on a server's allow list; writes are off unless writes: true.
tools:
  call_timeout_ms: 60000   # a tool call's time limit
  start_timeout_ms: 30000  # starting a server and listing its tools
  max_result_chars: 100000 # longer answers are cut before a model sees them
  restart: { initial_delay_ms: 500, max_delay_ms: 30000, max_attempts: 5 }  # after a crash
  servers: {}
  #   git: { builtin: git, repositories: { app: /home/me/src/app }, allow: ["*"] }
  #   fs: { builtin: fs, roots: [/home/me/src/app], writes: false, allow: [read, list, search, stat] }
  #   db: { builtin: db, databases: { app: /var/lib/app/app.db }, allow: ["*"] }
  #   tickets: { command: npx, args: [-y, some-mcp-server], env: { API_TOKEN: "\${TICKETS_TOKEN}" }, allow: [search] }
  #   docs: { url: http://127.0.0.1:3000/mcp, headers: { Authorization: "Bearer \${DOCS_TOKEN}" }, allow: ["*"] }

# Development workflows (switchyard run feature|bughunt|groom|review|<yours>.yaml).
workflows:
  retention_days: 30       # checkpoints of runs finished this long ago are pruned
  reserve_interactive_slots: 1  # Engine slots per model a fan-out leaves to the gateway's requests
  max_parallel: 8          # the widest fan-out on a paid alias
  warm_spares: 1           # fs and git tool servers kept started per kind for the next run; 0: off
  on_budget_exhausted: pause  # pause the run at a budget cap (resume it later), or downgrade
  directory: ""            # YAML workflows by name; empty: workflows/ beside this file
  worktree_directory: ""   # empty: <repository>.worktrees/ beside the repository
  branch_prefix: switchyard/
  test_command: npm test   # run in the run's worktree
  lint_command: ""         # e.g. npx biome check .; its output goes to the review
  command_timeout_ms: 600000
  max_fix_rounds: 2        # tests failing this many times go to conflict resolution
  max_conflict_rounds: 2
  max_context_chars: 48000 # file content one step may put in its prompt
  prompts: {}              # replace a node kind's prompt: { code-review: "Review {{code}} …" }

database:
  url: ""                  # empty: ledger.db in the user's data directory; a file path; or postgres://user:pass@host/db

dashboard:                 # the browser dashboard at http://<brain>:8787/
  enabled: true
  session_hours: 12        # a browser session ends after this long unused

metrics:                   # Prometheus text at /metrics
  enabled: true
  public: false            # true: no token needed to scrape

logging:
  level: info              # trace, debug, info, warn, error, silent
`;
