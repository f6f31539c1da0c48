// The official SDK's XML builder, typed for the XML tests: `plivo.Response` is a constructor
// function whose declarations lack a construct signature (plivo.md §4.1, §7.5).
import plivo from 'plivo';

type Attributes = Readonly<Record<string, string | number | boolean>>;

export interface SdkElement {
  addSpeak(text: string, attributes?: Attributes): SdkElement;
  addPlay(url: string, attributes?: Attributes): SdkElement;
  addWait(attributes?: Attributes): SdkElement;
  addDial(attributes?: Attributes): SdkElement;
  addNumber(number: string, attributes?: Attributes): SdkElement;
  addUser(uri: string, attributes?: Attributes): SdkElement;
  addGetDigits(attributes?: Attributes): SdkElement;
  addGetInput(attributes?: Attributes): SdkElement;
  addPreAnswer(): SdkElement;
  addDTMF(digits: string, attributes?: Attributes): SdkElement;
  addHangup(attributes?: Attributes): SdkElement;
  addRedirect(url: string, attributes?: Attributes): SdkElement;
  addRecord(attributes?: Attributes): SdkElement;
  addConference(room: string, attributes?: Attributes): SdkElement;
  addMessage(text: string, attributes?: Attributes): SdkElement;
  addStream(url: string, attributes?: Attributes): SdkElement;
  addMultiPartyCall(name: string, attributes?: Attributes): SdkElement;
  addBreak(attributes?: Attributes): SdkElement;
  addEmphasis(text: string, attributes?: Attributes): SdkElement;
  toXML(): string;
}

export function sdkResponse(): SdkElement {
  const Response = plivo.Response as unknown as new () => SdkElement;
  return new Response();
}
