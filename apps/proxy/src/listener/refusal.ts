const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/** The whole answer to a request refused before routing (malformed, too large, too slow); the connection closes after it. */
export function refusalText(status: 400 | 408 | 431, why: string): string {
  const reason = status === 408 ? `WEFT_ERR_PROXY_REQUEST_TIMEOUT: ${why}` : `WEFT_ERR_PROXY_BAD_REQUEST: ${why}`;
  return `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nconnection: close\r\ncontent-length: 0\r\nx-weft-error: ${reason}\r\n\r\n`;
}
