/**
 * A strict reader for XML property lists, for tests (plutil does not exist on Linux and no XML
 * parser is installed). It accepts exactly the XML plist grammar — the XML declaration, the plist
 * DOCTYPE, <plist version="1.0"> around one value, and dict/array/string/integer/real/true/false/
 * date/data — and throws on anything else: an unknown element, a mismatched or unclosed tag, a
 * dict key without a value, a bare `&` or `<` in text, text where a value belongs. If it reads a file,
 * launchd's parser would too.
 */

export type PlistValue = string | number | boolean | Date | PlistValue[] | { [key: string]: PlistValue };

type Token =
  | { kind: "open" | "close" | "empty"; name: string; attributes: string }
  | { kind: "text"; text: string };

const HEADER =
  /^<\?xml version="1\.0" encoding="UTF-8"\?>\s*<!DOCTYPE plist PUBLIC "-\/\/Apple\/\/DTD PLIST 1\.0\/\/EN" "http:\/\/www\.apple\.com\/DTDs\/PropertyList-1\.0\.dtd">\s*/;

export function readPlist(xml: string): PlistValue {
  const header = HEADER.exec(xml);
  if (!header) throw new Error("not an XML plist: the XML declaration or the plist DOCTYPE is missing");
  const tokens = tokenize(xml.slice(header[0].length));
  let position = 0;
  const next = (): Token => {
    const token = tokens[position++];
    if (!token) throw new Error("the plist ends too early");
    return token;
  };
  const skipSpace = () => {
    while (tokens[position]?.kind === "text" && (tokens[position] as { text: string }).text.trim() === "")
      position++;
  };
  const expectClose = (name: string) => {
    const token = next();
    if (token.kind !== "close" || token.name !== name)
      throw new Error(`expected </${name}>, found ${describe(token)}`);
  };
  const textUntilClose = (name: string): string => {
    const token = next();
    if (token.kind === "close" && token.name === name) return "";
    if (token.kind !== "text") throw new Error(`<${name}> may hold only text; found ${describe(token)}`);
    expectClose(name);
    return decodeEntities(token.text);
  };
  const readValue = (): PlistValue => {
    skipSpace();
    const token = next();
    if (token.kind === "empty") {
      if (token.name === "true") return true;
      if (token.name === "false") return false;
      if (token.name === "string") return "";
      if (token.name === "dict") return {};
      if (token.name === "array") return [];
      throw new Error(`<${token.name}/> is not a plist value`);
    }
    if (token.kind !== "open") throw new Error(`expected a value, found ${describe(token)}`);
    switch (token.name) {
      case "string":
        return textUntilClose("string");
      case "integer": {
        const text = textUntilClose("integer").trim();
        if (!/^[+-]?\d+$/.test(text)) throw new Error(`<integer> holds ${JSON.stringify(text)}`);
        return Number(text);
      }
      case "real": {
        const value = Number(textUntilClose("real").trim());
        if (Number.isNaN(value)) throw new Error("<real> holds no number");
        return value;
      }
      case "date":
        return new Date(textUntilClose("date"));
      case "data":
        return textUntilClose("data").replace(/\s+/g, "");
      case "array": {
        const items: PlistValue[] = [];
        for (;;) {
          skipSpace();
          const peek = tokens[position];
          if (peek?.kind === "close" && peek.name === "array") {
            position++;
            return items;
          }
          items.push(readValue());
        }
      }
      case "dict": {
        const entries: Record<string, PlistValue> = {};
        for (;;) {
          skipSpace();
          const keyToken = next();
          if (keyToken.kind === "close" && keyToken.name === "dict") return entries;
          if (keyToken.kind !== "open" || keyToken.name !== "key")
            throw new Error(`expected <key> in a dict, found ${describe(keyToken)}`);
          const key = textUntilClose("key");
          if (key in entries) throw new Error(`the key ${key} appears twice in one dict`);
          entries[key] = readValue();
        }
      }
      default:
        throw new Error(`<${token.name}> is not a plist element`);
    }
  };

  skipSpace();
  const root = next();
  if (root.kind !== "open" || root.name !== "plist" || !/^\s*version="1\.0"\s*$/.test(root.attributes)) {
    throw new Error(`expected <plist version="1.0">, found ${describe(root)}`);
  }
  const value = readValue();
  skipSpace();
  expectClose("plist");
  skipSpace();
  if (position !== tokens.length) throw new Error("something follows </plist>");
  return value;
}

function tokenize(xml: string): Token[] {
  const tokens: Token[] = [];
  const tag = /<(\/?)([A-Za-z]+)([^<>]*?)(\/?)>/g;
  let last = 0;
  for (const match of xml.matchAll(tag)) {
    if (match.index > last) tokens.push(textToken(xml.slice(last, match.index)));
    const [, closing, name, attributes, selfClosing] = match;
    if (closing && (attributes!.trim() !== "" || selfClosing))
      throw new Error(`malformed closing tag ${match[0]}`);
    tokens.push({
      kind: closing ? "close" : selfClosing ? "empty" : "open",
      name: name!,
      attributes: attributes!,
    });
    last = match.index + match[0].length;
  }
  if (last < xml.length) tokens.push(textToken(xml.slice(last)));
  return tokens;
}

function textToken(text: string): Token {
  if (text.includes("<")) throw new Error(`a bare < in text: ${JSON.stringify(text.slice(0, 40))}`);
  if (/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(text)) {
    throw new Error(`a bare & in text: ${JSON.stringify(text.slice(0, 40))}`);
  }
  return { kind: "text", text };
}

function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, entity: string) => {
    if (entity.startsWith("#x")) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith("#")) return String.fromCodePoint(Number(entity.slice(1)));
    return { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" }[entity]!;
  });
}

function describe(token: Token): string {
  if (token.kind === "text") return `text ${JSON.stringify(token.text.trim().slice(0, 30))}`;
  return token.kind === "close"
    ? `</${token.name}>`
    : token.kind === "empty"
      ? `<${token.name}/>`
      : `<${token.name}>`;
}
