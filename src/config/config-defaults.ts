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
  body_limit_mb: 32

backends:
  engine:                  # the Engine: Ollama on the inference box
    type: ollama
    base_url: \${OLLAMA_BASE_URL:-http://localhost:11434}
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
    context_window: 32768  # sent to Ollama as num_ctx
    keep_alive: -1         # keep the model loaded: no swapping delays
    escalate_to: cloud-sonnet
  local-reasoner:
    backend: engine
    model: deepseek-r1:32b
    tier: 1
    context_window: 32768
    keep_alive: -1
    think: true            # reasoning comes back separately from the answer
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

ledger:
  path: ""                 # empty: ledger.db in the user's data directory

logging:
  level: info              # trace, debug, info, warn, error, silent
`;
