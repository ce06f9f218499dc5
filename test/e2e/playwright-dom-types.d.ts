/**
 * playwright-core's type declarations name four DOM types (`Node`, `HTMLElement`, `SVGElement`,
 * `HTMLElementTagNameMap`) that this project's `lib: ["ES2023"]` (no DOM) does not have, and
 * `skipLibCheck` is off. These type-only stand-ins (no values, nothing at run time) let the
 * browser tests use playwright's real types; they merge harmlessly with lib.dom should it ever
 * be added. Page-side code is never written in TypeScript here.
 */
interface Node {
  readonly nodeName: string;
  readonly nodeType: number;
}
interface HTMLElement extends Node {}
interface SVGElement extends Node {}
interface HTMLElementTagNameMap {}
