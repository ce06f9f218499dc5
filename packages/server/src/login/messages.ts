/**
 * Every string of the login and error pages, in the three languages of DOME (en, es, ca).
 * The dictionaries have identical keys (checked by messages.test.ts). `{name}` placeholders are
 * filled by `format` (server) or by the page script; values are text, never HTML.
 */
export const LANGS = ['en', 'es', 'ca'] as const;
export type Lang = (typeof LANGS)[number];

export function isLang(v: unknown): v is Lang {
  return typeof v === 'string' && (LANGS as readonly string[]).includes(v);
}

/** Language names shown in the language switcher, each in its own language. */
export const LANG_NAMES: Readonly<Record<Lang, string>> = { en: 'English', es: 'Español', ca: 'Català' };

const en = {
  pageTitle: 'Log in with your wallet',
  heading: 'Log in with your wallet',
  scanHeading: 'Scan the QR code',
  scanHelp: 'Open the DOME wallet on your phone, choose “scan a QR code” and point the camera at this code.',
  qrAlt: 'QR code to log in with your DOME wallet',
  qrUnavailable: 'This login request is too long to be shown as a QR code. Use the wallet on this device instead.',
  sameDeviceHeading: 'Is the wallet on this device?',
  sameDeviceButton: 'Open the wallet on this device',
  expiresIn: 'This code expires in {time}.',
  secondsLeft: '{n} seconds left to scan the code.',
  expiredTitle: 'The login request has expired',
  expiredMessage: 'The code is no longer valid. Start the login again from the application.',
  failedTitle: 'The login did not succeed',
  failedMessage: 'The answer from your wallet was not accepted.',
  failedReason: 'Reason: {reason}',
  notStartedMessage: 'This login was not started in this browser, or it is no longer available. Start the login again from the application.',
  redirecting: 'Login accepted. Taking you back to the application…',
  backTo: 'Back to {site}',
  noscript: 'JavaScript is turned off: you can still scan the code, but this page cannot take you back to the application by itself.',
  helpNav: 'Help',
  onboarding: 'Onboarding guide',
  support: 'Support',
  wallet: 'DOME wallet',
  languageNav: 'Language',
  logoAlt: 'DOME',
  invalidRequestTitle: 'Invalid login request',
  invalidRequestMessage: 'This login link is incomplete or malformed. Start the login again from the application.',
  unavailableMessage: 'The login cannot be shown right now. Try again in a few seconds.',
  errorCode: 'Error {status}',
  newTab: '(opens in a new tab)',
  requestedBy: '{service} asks you to log in',
  errorReference: 'Reference: {code}',
  authzClientUnknown: 'The application that sent you here is not registered with this verifier, or did not say which application it is. Start the login again from the application.',
  authzRedirectUri: 'The application asked to send you back to an address that is not registered for it. Start the login again from the application.',
  authzBusy: 'Too many logins are in progress right now. Try again in a few seconds.',
  authzInvalid: 'The application sent a login request this verifier cannot accept. Start the login again from the application.',
} as const;

export type MessageKey = keyof typeof en;
export type Messages = Readonly<Record<MessageKey, string>>;

const es: Messages = {
  pageTitle: 'Inicia sesión con tu wallet',
  heading: 'Inicia sesión con tu wallet',
  scanHeading: 'Escanea el código QR',
  scanHelp: 'Abre el wallet de DOME en tu móvil, elige «escanear un código QR» y apunta la cámara a este código.',
  qrAlt: 'Código QR para iniciar sesión con tu wallet de DOME',
  qrUnavailable: 'Esta solicitud de inicio de sesión es demasiado larga para mostrarla como código QR. Usa el wallet en este dispositivo.',
  sameDeviceHeading: '¿Tienes el wallet en este dispositivo?',
  sameDeviceButton: 'Abrir el wallet en este dispositivo',
  expiresIn: 'Este código caduca en {time}.',
  secondsLeft: 'Quedan {n} segundos para escanear el código.',
  expiredTitle: 'La solicitud de inicio de sesión ha caducado',
  expiredMessage: 'El código ya no es válido. Vuelve a iniciar sesión desde la aplicación.',
  failedTitle: 'No se ha podido iniciar sesión',
  failedMessage: 'La respuesta de tu wallet no ha sido aceptada.',
  failedReason: 'Motivo: {reason}',
  notStartedMessage: 'Este inicio de sesión no se empezó en este navegador o ya no está disponible. Vuelve a iniciar sesión desde la aplicación.',
  redirecting: 'Inicio de sesión aceptado. Volviendo a la aplicación…',
  backTo: 'Volver a {site}',
  noscript: 'JavaScript está desactivado: puedes escanear el código, pero esta página no podrá llevarte de vuelta a la aplicación por sí sola.',
  helpNav: 'Ayuda',
  onboarding: 'Guía de incorporación',
  support: 'Soporte',
  wallet: 'Wallet de DOME',
  languageNav: 'Idioma',
  logoAlt: 'DOME',
  invalidRequestTitle: 'Solicitud de inicio de sesión no válida',
  invalidRequestMessage: 'Este enlace de inicio de sesión está incompleto o mal formado. Vuelve a iniciar sesión desde la aplicación.',
  unavailableMessage: 'No se puede mostrar el inicio de sesión en este momento. Inténtalo de nuevo en unos segundos.',
  errorCode: 'Error {status}',
  newTab: '(se abre en una pestaña nueva)',
  requestedBy: '{service} te pide que inicies sesión',
  errorReference: 'Referencia: {code}',
  authzClientUnknown: 'La aplicación que te ha enviado aquí no está registrada en este verificador, o no ha dicho qué aplicación es. Vuelve a iniciar sesión desde la aplicación.',
  authzRedirectUri: 'La aplicación ha pedido devolverte a una dirección de retorno que no tiene registrada. Vuelve a iniciar sesión desde la aplicación.',
  authzBusy: 'Hay demasiados inicios de sesión en curso. Inténtalo de nuevo en unos segundos.',
  authzInvalid: 'La aplicación ha enviado una solicitud de inicio de sesión que este verificador no puede aceptar. Vuelve a iniciar sesión desde la aplicación.',
};

const ca: Messages = {
  pageTitle: 'Inicia la sessió amb el teu wallet',
  heading: 'Inicia la sessió amb el teu wallet',
  scanHeading: 'Escaneja el codi QR',
  scanHelp: 'Obre el wallet de DOME al mòbil, tria «escanejar un codi QR» i apunta la càmera a aquest codi.',
  qrAlt: 'Codi QR per iniciar la sessió amb el teu wallet de DOME',
  qrUnavailable: 'Aquesta sol·licitud d’inici de sessió és massa llarga per mostrar-la com a codi QR. Fes servir el wallet en aquest dispositiu.',
  sameDeviceHeading: 'Tens el wallet en aquest dispositiu?',
  sameDeviceButton: 'Obre el wallet en aquest dispositiu',
  expiresIn: 'Aquest codi caduca d’aquí a {time}.',
  secondsLeft: 'Queden {n} segons per escanejar el codi.',
  expiredTitle: 'La sol·licitud d’inici de sessió ha caducat',
  expiredMessage: 'El codi ja no és vàlid. Torna a iniciar la sessió des de l’aplicació.',
  failedTitle: 'No s’ha pogut iniciar la sessió',
  failedMessage: 'La resposta del teu wallet no s’ha acceptat.',
  failedReason: 'Motiu: {reason}',
  notStartedMessage: 'Aquest inici de sessió no es va començar en aquest navegador o ja no està disponible. Torna a iniciar la sessió des de l’aplicació.',
  redirecting: 'Inici de sessió acceptat. Tornant a l’aplicació…',
  backTo: 'Torna a {site}',
  noscript: 'El JavaScript està desactivat: pots escanejar el codi, però aquesta pàgina no et podrà tornar a l’aplicació per si sola.',
  helpNav: 'Ajuda',
  onboarding: 'Guia d’incorporació',
  support: 'Suport',
  wallet: 'Wallet de DOME',
  languageNav: 'Idioma',
  logoAlt: 'DOME',
  invalidRequestTitle: 'Sol·licitud d’inici de sessió no vàlida',
  invalidRequestMessage: 'Aquest enllaç d’inici de sessió és incomplet o mal format. Torna a iniciar la sessió des de l’aplicació.',
  unavailableMessage: 'No es pot mostrar l’inici de sessió ara mateix. Torna-ho a provar d’aquí a uns segons.',
  errorCode: 'Error {status}',
  newTab: '(s’obre en una pestanya nova)',
  requestedBy: '{service} et demana que iniciïs la sessió',
  errorReference: 'Referència: {code}',
  authzClientUnknown: 'L’aplicació que t’ha enviat aquí no està registrada en aquest verificador, o no ha dit quina aplicació és. Torna a iniciar la sessió des de l’aplicació.',
  authzRedirectUri: 'L’aplicació ha demanat tornar-te a una adreça de retorn que no té registrada. Torna a iniciar la sessió des de l’aplicació.',
  authzBusy: 'Hi ha massa inicis de sessió en curs. Torna-ho a provar d’aquí a uns segons.',
  authzInvalid: 'L’aplicació ha enviat una sol·licitud d’inici de sessió que aquest verificador no pot acceptar. Torna a iniciar la sessió des de l’aplicació.',
};

export const MESSAGES: Readonly<Record<Lang, Messages>> = { en, es, ca };

/** The explanation of an authorization error page, by stable error code (the English detail stays in the log). */
export function authorizeErrorMessage(m: Messages, code: string): string {
  switch (code) {
    case 'ERR_AUTHZ_CLIENT_UNKNOWN':
      return m.authzClientUnknown;
    case 'ERR_AUTHZ_REDIRECT_URI':
      return m.authzRedirectUri;
    case 'ERR_LOGIN_RATE_LIMITED':
    case 'ERR_LOGIN_CAPACITY':
      return m.authzBusy;
    default:
      return m.authzInvalid;
  }
}

/** Fills `{name}` placeholders; unknown placeholders are left as they are. */
export function format(template: string, values: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (Object.hasOwn(values, name) ? String(values[name]) : m));
}
