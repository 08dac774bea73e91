import { expect } from '@jest/globals';

/** Shared with every package's tests (@psd2/testing). */
export { capturingLogger } from '@psd2/testing';

/** The generic server_error answer: no stack, no path, no detail of the thrown error. */
export function expectGenericServerError(response: Response, text: string): void {
  expect(response.status).toBe(500);
  expect(JSON.parse(text)).toEqual({
    error: 'server_error',
    error_description: 'The server encountered an unexpected condition.',
  });
  expect(text).not.toMatch(/secret internal detail|app\.js|at /);
}
