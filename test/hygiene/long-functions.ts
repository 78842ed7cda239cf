// Finds functions longer than a line limit in TypeScript and JavaScript sources, with the TypeScript
// compiler's parser: declarations, methods, constructors, accessors, function expressions and arrow
// functions, each measured from its first to its last line (nested functions count inside their parent too).
// A browser script's top-level wrapper, `(function name() { ... })();`, is the file's module scope, not
// a function, and is not measured; the functions inside it are.
import { readFileSync } from 'node:fs';
import ts from 'typescript';

export interface LongFunction {
  file: string;
  line: number;
  lines: number;
  name: string;
}

function isFunctionLike(node: ts.Node): node is ts.FunctionLikeDeclaration {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node)
  );
}

/** `(function () { ... })();` as a statement of the file itself. */
function isScriptWrapper(node: ts.Node, source: ts.SourceFile): boolean {
  const paren = node.parent;
  const call = paren?.parent;
  return (
    ts.isFunctionExpression(node) &&
    ts.isParenthesizedExpression(paren) &&
    call !== undefined &&
    ts.isCallExpression(call) &&
    ts.isExpressionStatement(call.parent) &&
    call.parent.parent === source
  );
}

function nameOf(node: ts.FunctionLikeDeclaration, source: ts.SourceFile): string {
  if (node.name) return node.name.getText(source);
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) return parent.name.getText(source);
  return '(anonymous)';
}

/** Functions over `maxLines` lines in one source text. */
export function longFunctionsIn(file: string, text: string, maxLines: number): LongFunction[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: LongFunction[] = [];
  const visit = (node: ts.Node): void => {
    if (isFunctionLike(node) && !isScriptWrapper(node, source)) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = last - first + 1;
      if (lines > maxLines) found.push({ file, line: first + 1, lines, name: nameOf(node, source) });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

export function longFunctions(files: readonly string[], maxLines: number): LongFunction[] {
  return files.flatMap((file) => longFunctionsIn(file, readFileSync(file, 'utf8'), maxLines));
}
