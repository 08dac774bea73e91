// GET /oauth2/docs: renders this server's OpenAPI document with Swagger UI. A file of its own, served
// from the same origin, because the page's Content-Security-Policy allows no inline script.
window.addEventListener('DOMContentLoaded', () => {
  window.ui = window.SwaggerUIBundle({
    url: '/oauth2/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    // Every endpoint but metadata needs the TPP's QWAC over mutual TLS: the page documents, it does
    // not send requests. No validator badge either (it would call validator.swagger.io).
    supportedSubmitMethods: [],
    validatorUrl: null,
  });
});
