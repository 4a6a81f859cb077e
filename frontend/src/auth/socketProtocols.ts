// How a signed-in page hands its ID token to `$connect`: browsers cannot set an Authorization header
// on a WebSocket, and a token in the URL would land in access logs, so it rides in
// Sec-WebSocket-Protocol beside the chat's own subprotocol, which `$connect` answers (contract.json).
import { subprotocol, tokenProtocolPrefix } from '../../../lambdas/serverless_chat/contract.json';

export const SUBPROTOCOL: string = subprotocol;
export const TOKEN_PROTOCOL_PREFIX: string = tokenProtocolPrefix;

/** The subprotocols to offer: none for a guest (as the seed's page), the chat's and the token's when signed in. */
export function socketProtocols(idToken: string | null): string[] {
  return idToken === null ? [] : [SUBPROTOCOL, TOKEN_PROTOCOL_PREFIX + idToken];
}
