// proxy.ts: written when the app has none; added to an existing one only in
// the one case where that provably changes nothing but adding the guard;
// otherwise left alone, with the lines to add printed.
import { join } from 'node:path';
import { existingScript, importSpecifier, loadTypeScript, readText } from './project.mjs';
import { GUARD_OPTIONS, proxyFile } from './templates.mjs';

/**
 * @typedef {{ kind: 'create', path: string, content: string }
 *   | { kind: 'keep', path: string, reason: string }
 *   | { kind: 'edit', path: string, before: string, after: string, notes: string[] }
 *   | { kind: 'manual', path: string, reason: string, lines: string, notes: string[] }} ProxyPlan
 */

/**
 * @param {import('./project.mjs').Project} project
 * @param {{ sessionModule: string, edge: boolean }} options
 *   `sessionModule`: lib/session's path without extension; `edge`: whether the storage runs on the edge runtime
 * @returns {ProxyPlan}
 */
export function planProxy(project, { sessionModule, edge }) {
  const find = (name) =>
    existingScript(project.root, `${project.base}${name}`) ?? existingScript(project.root, name);
  const proxy = find('proxy');
  const middleware = find('middleware');
  const ext = project.typescript ? 'ts' : 'js';
  const session = (from) => importSpecifier(project, from, sessionModule);

  if (proxy === undefined && middleware === undefined) {
    const path = `${project.base}proxy.${ext}`;
    return { kind: 'create', path, content: proxyFile({ session: session(path) }) };
  }
  if (proxy === undefined) {
    const notes = [
      'Next 16 renamed middleware.ts to proxy.ts and refuses to build with both, so init wrote no proxy.ts. ' +
        'To rename it: npx @next/codemod@canary middleware-to-proxy .',
    ];
    if (!edge) {
      notes.push(
        'middleware.ts runs on the edge runtime, where this storage cannot connect (no TCP): rename it to proxy.ts first.',
      );
    }
    return {
      kind: 'manual',
      path: middleware,
      reason: `${middleware} exists`,
      lines: manualLines(session(middleware), 'middleware'),
      notes,
    };
  }

  const text = readText(join(project.root, proxy)) ?? '';
  if (
    /\b(?:guard|proxySession)\s*\(/.test(text) &&
    /from\s+['"][^'"]*(?:next-session-kit|\/session)['"]/.test(text)
  ) {
    return { kind: 'keep', path: proxy, reason: 'it already uses next-session-kit' };
  }
  const spec = session(proxy);
  const result = extendProxy(project, proxy, text, spec);
  const notes = /\bmatcher\b/.test(text)
    ? [
        `The guard sees only the paths ${proxy}'s config.matcher matches: make sure it covers the paths in protect and /login.`,
      ]
    : [];
  if (typeof result === 'string') {
    return {
      kind: 'manual',
      path: proxy,
      reason: result,
      lines: manualLines(spec, 'proxy'),
      notes,
    };
  }
  return { kind: 'edit', path: proxy, before: text, after: result.after, notes };
}

function manualLines(spec, fn) {
  return `import { guard } from '${spec}';

const sessionGuard = guard(${GUARD_OPTIONS});

// In ${fn}(request), wherever it lets a request through: instead of \`return NextResponse.next();\`
return sessionGuard(request);

// For responses of your own (redirects, rewrites), use proxySession() instead: see
// "guard()" in next-session-kit's docs/api.md.`;
}

/**
 * Adds the guard to an existing proxy.ts when its exported proxy function
 * only ever lets requests through (`return NextResponse.next()`, or no
 * return): each of those becomes `return sessionGuard(request)`, which is the
 * same response plus the session's work. Anything else (its own redirects,
 * rewrites or headers, a helper it returns, code init cannot parse) is the
 * app's logic, which init does not rearrange: it returns why, as a string.
 *
 * @returns {{ after: string } | string}
 */
function extendProxy(project, path, text, spec) {
  const ts = loadTypeScript(project.root);
  if (ts === undefined)
    return "init changes an existing proxy only after parsing it with the app's TypeScript, which is not installed";
  const kind = /\.[jt]sx$/.test(path)
    ? ts.ScriptKind.TSX
    : /\.js$/.test(path)
      ? ts.ScriptKind.JS
      : ts.ScriptKind.TS;
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, kind);
  if (syntaxErrors(file)) return 'it does not parse';

  if (/\bsessionGuard\b/.test(text) || declares(ts, file, 'guard')) {
    return 'it already has something called guard or sessionGuard';
  }
  if (!importsNextResponse(ts, file)) return 'it does not import NextResponse from next/server';
  const found = exportedProxyFunctions(ts, file);
  if (found.length !== 1) return 'init found no single exported proxy function to follow';
  const fn = found[0];
  if (fn.asteriskToken || fn.body === undefined || !ts.isBlock(fn.body))
    return 'its proxy is not a plain function';
  const param = fn.parameters[0];
  if (param === undefined || !ts.isIdentifier(param.name))
    return 'its proxy function takes no request parameter';
  if (declares(ts, fn.body, param.name.text)) return `its proxy function declares another ${param.name.text}`;
  const isAsync = (ts.getModifiers(fn) ?? []).some((m) => m.kind === ts.SyntaxKind.AsyncKeyword);
  if (fn.type !== undefined && !isAsync)
    return 'its proxy function declares a return type that is not a Promise';

  const passThroughs = [];
  let own;
  const visit = (node) => {
    if (own !== undefined) return;
    if (node !== fn && ts.isFunctionLike(node)) return; // its returns are not the proxy's
    if (ts.isReturnStatement(node)) {
      if (node.expression !== undefined && isPlainNext(ts, node.expression))
        passThroughs.push(node.expression);
      else own = node;
      return;
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(fn.body, visit);
  if (own !== undefined) {
    const line = file.getLineAndCharacterOfPosition(own.getStart(file)).line + 1;
    return `it returns a response of its own (line ${line}), so where the guard goes is the app's decision`;
  }

  const request = param.name.text;
  const call = `sessionGuard(${request})`;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  /** @type {Array<{ at: number, end: number, text: string }>} */
  const edits = passThroughs.map((expr) => ({ at: expr.getStart(file), end: expr.end, text: call }));
  const statements = fn.body.statements;
  const last = statements[statements.length - 1];
  if (last === undefined) {
    edits.push({ at: fn.body.getStart(file), end: fn.body.end, text: `{${eol}  return ${call};${eol}}` });
  } else if (!ts.isReturnStatement(last)) {
    // Falling off the end lets the request through too.
    const indent = indentOf(text, last.getStart(file));
    edits.push({ at: last.end, end: last.end, text: `${eol}${indent}return ${call};` });
  }
  const imports = file.statements.filter((s) => ts.isImportDeclaration(s));
  const afterImports = imports[imports.length - 1].end;
  edits.push({
    at: afterImports,
    end: afterImports,
    text:
      `${eol}import { guard } from '${spec}';${eol}${eol}` +
      `// Added by \`npx next-session-kit init\`: where this proxy lets a request through, the guard decides.${eol}` +
      `const sessionGuard = guard(${GUARD_OPTIONS.replaceAll('\n', eol)});`,
  });
  let after = text;
  for (const edit of edits.sort((a, b) => b.at - a.at)) {
    after = after.slice(0, edit.at) + edit.text + after.slice(edit.end);
  }
  if (syntaxErrors(ts.createSourceFile(path, after, ts.ScriptTarget.Latest, true, kind))) {
    return 'init could not add to it cleanly';
  }
  return { after };
}

/** Whether the parser reported errors (it still builds a tree for broken code). */
function syntaxErrors(file) {
  return (file.parseDiagnostics?.length ?? 0) > 0;
}

function exportedProxyFunctions(ts, file) {
  const found = [];
  for (const statement of file.statements) {
    const modifiers = ts.canHaveModifiers(statement) ? (ts.getModifiers(statement) ?? []) : [];
    const exported = modifiers.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (!exported) continue;
    const isDefault = modifiers.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
    if (ts.isFunctionDeclaration(statement) && (isDefault || statement.name?.text === 'proxy')) {
      found.push(statement);
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        const init = declaration.initializer;
        if (
          ts.isIdentifier(declaration.name) &&
          declaration.name.text === 'proxy' &&
          init !== undefined &&
          (ts.isArrowFunction(init) || ts.isFunctionExpression(init))
        ) {
          found.push(init);
        }
      }
    }
  }
  return found;
}

/** `NextResponse.next()`, with no arguments: a response that only lets the request through. */
function isPlainNext(ts, expression) {
  let e = expression;
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  return (
    ts.isCallExpression(e) &&
    e.arguments.length === 0 &&
    ts.isPropertyAccessExpression(e.expression) &&
    ts.isIdentifier(e.expression.expression) &&
    e.expression.expression.text === 'NextResponse' &&
    e.expression.name.text === 'next'
  );
}

function importsNextResponse(ts, file) {
  return file.statements.some(
    (s) =>
      ts.isImportDeclaration(s) &&
      ts.isStringLiteral(s.moduleSpecifier) &&
      s.moduleSpecifier.text === 'next/server' &&
      s.importClause?.namedBindings !== undefined &&
      ts.isNamedImports(s.importClause.namedBindings) &&
      s.importClause.namedBindings.elements.some(
        (e) =>
          e.name.text === 'NextResponse' &&
          (e.propertyName === undefined || e.propertyName.text === 'NextResponse'),
      ),
  );
}

/** Whether `node` or anything in it declares or imports `name` (any scope: renaming is not init's job). */
function declares(ts, node, name) {
  let found = false;
  const visit = (child) => {
    if (found) return;
    if (ts.isIdentifier(child) && child.text === name && isDeclarationName(ts, child)) found = true;
    else ts.forEachChild(child, visit);
  };
  ts.forEachChild(node, visit);
  return found;
}

function isDeclarationName(ts, node) {
  const parent = node.parent;
  if (parent === undefined) return false;
  const declaring =
    ts.isVariableDeclaration(parent) ||
    ts.isFunctionDeclaration(parent) ||
    ts.isClassDeclaration(parent) ||
    ts.isParameter(parent) ||
    ts.isImportSpecifier(parent) ||
    ts.isImportClause(parent) ||
    ts.isNamespaceImport(parent) ||
    ts.isBindingElement(parent);
  return declaring && parent.name === node;
}

function indentOf(text, position) {
  const lineStart = text.lastIndexOf('\n', position - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, position))?.[0] ?? '';
}
