/**
 * Markup the structural detectors look for: chat-template tokens, role tag names and inline styles that hide text.
 * Data only; `structural.ts` reads it.
 */

/** Chat-template and role delimiters, matched ignoring ASCII case. */
export const SPECIAL_TOKENS = [
  '<|im_start|>', '<|im_end|>', '<|system|>', '<|user|>', '<|assistant|>', '<|endoftext|>', '<|start_header_id|>',
  '<|end_header_id|>', '<|eot_id|>', '<|begin_of_text|>', '[inst]', '[/inst]', '<<sys>>', '<</sys>>', '<im_start>',
  '<im_end>', '<start_of_turn>', '<end_of_turn>', '{{#system', '{{/system', '{{~/system', '```system',
];
/** Tag names that claim a privileged role (`<system>`, `<instructions>`). */
export const STRONG_TAG_NAMES = new Set(['system', 'sys', 'system_prompt', 'system_message', 'instruction', 'instructions', 'new_instructions', 'admin', 'developer']);
/** Tag names of ordinary chat roles (weaker evidence). */
export const WEAK_TAG_NAMES = new Set(['prompt', 'context', 'user', 'assistant', 'human', 'im_start', 'im_end']);
/** Inline styles that hide text from a human reader. */
export const HIDDEN_STYLE = ['display:none', 'display: none', 'visibility:hidden', 'visibility: hidden', 'font-size:0', 'font-size: 0', 'color:white', 'color: white', 'color:#fff', 'opacity:0', 'opacity: 0'];
