import { describe, expect, it } from '@jest/globals';
import { html } from './html.js';

describe('html template', () => {
  it('escapes every interpolated value, not nested templates', () => {
    const name = `<script>alert("x")</script> & 'q' \``;
    const out = html`<p title="${name}">${name}${html`<b>${'<i>'}</b>`}${['<a>', html`<br>`]}</p>`;
    expect(out.value).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39; &#96;">' +
        '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39; &#96;<b>&lt;i&gt;</b>&lt;a&gt;<br></p>',
    );
    expect(html`${undefined}${false}${null}${0}`.value).toBe('0');
  });
});
