// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata API before
// the library is evaluated: ES modules evaluate imports in order, so the CRL modules import the
// library only through this module, right after the polyfill.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto);

export { x509 };
