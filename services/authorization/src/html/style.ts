/*
 * The pages' one stylesheet, served from /oauth2/{lang}/static/authorize.css so that the CSP can say
 * `style-src 'self'` with no inline style. Mobile first: one column, large touch targets.
 */
export const STYLESHEET = `
*,*::before,*::after{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:100%;line-height:1.5;color:#1b1f24;background:#f3f5f8}
body{margin:0}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem}
.skip:focus{left:.5rem}
header{background:#0b3d6b;color:#fff;padding:.75rem 1rem}
header p{margin:0;font-weight:600}
.banner{background:#fff4c2;color:#4a3b00;border-bottom:1px solid #e5d48a;padding:.5rem 1rem;margin:0}
main{max-width:36rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;line-height:1.25;margin:.5rem 0 1rem}
h2{font-size:1.1rem;margin:1.25rem 0 .5rem}
.card>:first-child{margin-top:0}
.card>:last-child{margin-bottom:0}
.card{background:#fff;border:1px solid #d5dbe3;border-radius:.5rem;padding:1rem;margin:0 0 1rem}
dl{margin:0;display:grid;grid-template-columns:minmax(7rem,auto) 1fr;gap:.25rem .75rem}
dt{font-weight:600}
dd{margin:0;overflow-wrap:anywhere}
@media (max-width:30rem){dl{grid-template-columns:1fr;gap:0}dd{margin-bottom:.5rem}}
ul.access{padding-left:1.25rem;margin:.5rem 0}
ul.access li{margin:.25rem 0}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
.hint{display:block;font-weight:400;color:#4a5563;font-size:.9rem}
input[type=text],input[type=password],select{width:100%;font:inherit;padding:.65rem .75rem;border:2px solid #6b7685;border-radius:.35rem;background:#fff;color:inherit}
fieldset{border:0;padding:0;margin:1rem 0 0}
legend{font-weight:600;padding:0;margin-bottom:.25rem}
.choice{display:flex;gap:.5rem;align-items:center;font-weight:400;margin:.35rem 0;padding:.5rem;border:1px solid #d5dbe3;border-radius:.35rem;background:#fff}
.choice input{width:1.25rem;height:1.25rem;margin:0}
.actions{display:flex;flex-wrap:wrap;gap:.75rem;margin-top:1.25rem}
button{font:inherit;font-weight:600;min-height:3rem;padding:.6rem 1.25rem;border-radius:.35rem;border:2px solid #0b3d6b;cursor:pointer;flex:1 1 10rem}
button.primary{background:#0b3d6b;color:#fff}
button.secondary{background:#fff;color:#0b3d6b}
button:focus-visible,input:focus-visible,select:focus-visible,a:focus-visible{outline:3px solid #f0a500;outline-offset:2px}
.error{background:#fdecea;border:1px solid #e0a39c;color:#7a1c12;border-radius:.35rem;padding:.75rem;margin:0 0 1rem}
.muted{color:#4a5563;font-size:.9rem}
form.inline{margin-top:1rem}
ul.grants{list-style:none;padding:0;margin:1rem 0}
ul.grants h2{margin-top:0;overflow-wrap:anywhere}
.notice{background:#e7f4ea;border:1px solid #8cc79b;color:#14532d;border-radius:.35rem;padding:.75rem;margin:0 0 1rem}
`;
