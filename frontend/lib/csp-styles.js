// CodeMirror, used by the expression fields of the designers' properties
// panels, writes its styles into one <style> element through style-mod. The
// designer pages' CSP admits that element only with the page's style nonce
// (see docs/adr/0006-designers-and-forms.md); creating style-mod's element
// first, with the nonce, makes every later editor reuse it.
import { StyleModule } from "style-mod";

export function admitEditorStyles() {
  const meta = document.querySelector('meta[name="egov-style-nonce"]');
  if (meta && meta.content) {
    StyleModule.mount(document, [], { nonce: meta.content });
  }
}
