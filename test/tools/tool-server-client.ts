/**
 * A real SDK client connected to a built-in tool server in this process (the SDK's in-memory
 * transport between a real Client and our real Server), for the servers' own tests. The hub's
 * tests use stdio processes and Streamable HTTP instead.
 */
import { Client, InMemoryTransport } from "@modelcontextprotocol/client";
import type { ToolSet } from "../../src/tools/servers/tool-server-kit.js";
import { toolServerFactory } from "../../src/tools/servers/tool-server-kit.js";

export interface ToolServerClient {
  client: Client;
  /** Calls a tool; a JSON-RPC error rejects (ProtocolError), a refusal resolves with isError. */
  call(name: string, args?: Record<string, unknown>): Promise<{ text: string; isError: boolean }>;
  toolNames(): Promise<string[]>;
  close(): Promise<void>;
}

export async function connectToolServer(toolSet: ToolSet): Promise<ToolServerClient> {
  const errors: Error[] = [];
  const server = toolServerFactory(toolSet, (error) => errors.push(error))();
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: "switchyard-test", version: "0" });
  await client.connect(clientSide);
  return {
    client,
    async call(name, args = {}) {
      const result = await client.callTool({ name, arguments: args });
      const text = result.content
        .map((block) => (block.type === "text" ? block.text : `[${block.type}]`))
        .join("\n");
      return { text, isError: result.isError === true };
    },
    async toolNames() {
      return (await client.listTools()).tools.map((tool) => tool.name);
    },
    async close() {
      await client.close();
      await server.close();
      await toolSet.close();
      if (errors.length > 0)
        throw new Error(
          `the server reported unexpected errors: ${errors.map((error) => error.message).join("; ")}`,
        );
    },
  };
}
