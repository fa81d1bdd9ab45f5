// The syntax layer's data: offsets into the document text (UTF-16 code units, as in JS strings and LSP).

export const enum TokenKind {
  Word = 0,
  /** A token that started with `"` or `'`; `start`/`end` include the quotes. */
  Quoted = 1,
  Comment = 2,
  /** The raw body of a `*_by_lua_block`, between (not including) its braces. */
  LuaBody = 3,
}

export interface Token {
  kind: TokenKind;
  start: number;
  end: number;
  /** The value nginx stores: quotes removed, `\"` `\'` `\\` `\t` `\r` `\n` unescaped. */
  value: string;
  /**
   * A word whose last backslash takes the CR of a CRLF line break: the CR is the token's to nginx, but
   * `end` stops before it (an editor's position cannot split CRLF). Whatever rewrites the text around the
   * token keeps that CR right after it.
   */
  readonly escapedCr?: boolean;
}

export interface Directive {
  name: string;
  nameToken: Token;
  args: Token[];
  argCount: number;
  /** Offset of the first character of the name token. */
  start: number;
  /** Offset just past the `;`, the block's `}`, or the last token when unterminated. */
  end: number;
  /** Offset of the terminating `;` or `{`; -1 when the directive was cut short. */
  terminator: number;
  block: Block | null;
  /** Body of a `*_by_lua_block`, read with Lua's rules. */
  lua: Token | null;
  parent: Block;
}

export interface Block {
  /** The directive that opened the block; null for a file's top level. */
  owner: Directive | null;
  /** Offset of `{` (or 0 for the top level). */
  open: number;
  /** Offset of `}`; -1 when the block was never closed. */
  close: number;
  children: Directive[];
}

export interface SyntaxError {
  message: string;
  start: number;
  end: number;
  /**
   * 1-based line nginx names in its own message (it often differs from where a user should look), counted
   * as nginx counts: only `\n` ends a line.
   */
  nginxLine: number;
}

export interface SyntaxTree {
  text: string;
  root: Block;
  comments: Token[];
  errors: SyntaxError[];
  /** Offsets where lines start by LSP's rule (a line ends at `\n`, `\r\n` or a lone `\r`): for positions. */
  lineStarts: Int32Array;
  /** Offsets where lines start by nginx's rule (only `\n` ends a line): for the line numbers nginx reports. */
  nginxLineStarts: Int32Array;
}
