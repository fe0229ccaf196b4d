// Who a request names: a person as a Slack mention, spconn itself (a rotation it opened) as its name.
export const SPCONN_ID = 'spconn';

export function mentionOf(id: string): string {
  return id === SPCONN_ID ? 'spconn' : `<@${id}>`;
}
