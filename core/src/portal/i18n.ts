import { formatMoney } from "../shared/money.ts";

// Every string the portal shows, in one catalog per locale. English is the source; the French catalog has the
// same keys (the type makes a missing one a compile error). `{name}` placeholders are filled by `t`, and the
// result is escaped by `html` like any other value. Rule names stay as they are stored (they are names, not
// sentences), and what a rule means is a sentence here.

const EN = {
  "app.name": "Trailmark creator portal",
  "nav.label": "Portal",
  "nav.overview": "Overview",
  "nav.links": "Links and codes",
  "nav.conversions": "Conversions",
  "nav.payouts": "Payouts",
  "nav.settings": "Settings",
  "nav.signOut": "Sign out",
  "nav.skip": "Skip to content",

  "signIn.title": "Sign in",
  "signIn.intro": "Enter the email address your brands know you by. We will send you a link to sign in.",
  "signIn.email": "Email",
  "signIn.send": "Send me a sign-in link",
  "signIn.invalidEmail": "Enter an email address.",
  "checkEmail.title": "Check your email",
  "checkEmail.body": "If {email} belongs to a creator, a sign-in link is on its way. It works once, for 15 minutes.",
  "checkEmail.other": "Use another address",
  "confirm.body": "Continue to your Trailmark creator portal.",
  "confirm.button": "Sign in",
  "badLink.title": "This link does not work",
  "badLink.body": "The sign-in link was already used or has expired. Links work once, for 15 minutes.",
  "badLink.again": "Send a new link",
  "message.back": "Back to the portal",
  "error.notFound": "Not found",
  "error.noPage": "There is no such page.",
  "error.noStore": "There is no such store.",
  "error.invalidForm": "Invalid form",
  "error.incompleteForm": "The form was not complete.",
  "error.formExpired": "Form expired",
  "error.formExpiredBody": "The form had expired. Go back, reload the page and try again.",
  "error.notAvailable": "Not available",
  "error.stripeOff": "Stripe payouts are not set up.",
  "error.wrong": "Something is wrong",
  "error.failed": "Something went wrong",
  "error.tryAgain": "Please try again in a moment.",

  "status.pending": "Pending",
  "status.approved": "Approved",
  "status.paid": "Paid",
  "status.reversed": "Reversed",
  "status.rejected": "Rejected",
  "status.over_budget": "Over budget",
  "status.reduced": "Reduced",
  "status.all": "All",
  "payoutStatus.draft": "Being prepared",
  "payoutStatus.approved": "Approved",
  "payoutStatus.processing": "Sending",
  "payoutStatus.paid": "Paid",
  "payoutStatus.failed": "Failed",
  "payoutStatus.cancelled": "Cancelled",
  "method.stripe": "Stripe",
  "method.paypal": "PayPal",
  "method.manual": "Paid by hand",

  "overview.title": "Overview",
  "overview.introOne": "Your results at 1 store. Money is shown per currency and never added across currencies.",
  "overview.intro": "Your results at {count} stores. Money is shown per currency and never added across currencies.",
  "overview.noStores": "No store knows this email address yet.",
  "overview.earnings": "Earnings",
  "overview.currency": "Currency",
  "overview.reversedHint": "Reversed is what refunds and cancellations took back.",
  "overview.noEarnings": "No earnings yet.",
  "overview.nextPayout": "Next payout",
  "overview.nextPayoutDate": "Next payout run: {date}.",
  "overview.nextPayoutManual": "This store pays by hand, when it runs its payouts.",
  "overview.readyAmount": "Ready to be paid: {amount}.",
  "overview.toReach": "{amount} more is needed to reach the store's minimum payout of {minimum}.",
  "overview.minimumReached": "The minimum payout of {minimum} is reached.",
  "overview.addMethod": "Add a payout method",
  "overview.addMethodHint": "You have no payout method for this store yet.",
  "overview.method": "Paid by {method}.",
  "overview.activity": "Activity",
  "overview.range": "Range",
  "overview.days": "{days} days",
  "chart.clicks": "Qualified clicks",
  "chart.conversions": "Conversions",
  "chart.earnings": "Earnings ({currency})",
  "chart.summary": "{label} per day from {from} to {to}: {total} in total, at most {max} on {maxDay}.",
  "chart.data": "The figures per day",
  "chart.day": "Day",

  "links.title": "Links and codes",
  "links.intro": "Share these links and codes. Every click and order they bring is counted for you.",
  "links.none": "No tracking links yet.",
  "links.campaign": "Campaign",
  "links.store": "Store",
  "links.url": "Tracking link",
  "links.codes": "Discount codes",
  "links.copy": "Copy",
  "links.copied": "Copied",
  "links.copyLink": "Copy link {url}",
  "links.copyCode": "Copy code {code}",
  "links.qr": "QR code for {url}",
  "links.paused": "Paused",

  "conversions.title": "Conversions",
  "conversions.intro": "Every order and sign-up credited to you, newest first.",
  "conversions.filter": "Status",
  "conversions.apply": "Show",
  "conversions.none": "No conversions here yet.",
  "conversions.date": "Date",
  "conversions.order": "Order",
  "conversions.value": "Order value",
  "conversions.share": "Your share",
  "conversions.commission": "Commission",
  "conversions.status": "Status",
  "conversions.countOne": "1 conversion",
  "conversions.count": "{count} conversions",
  "conversions.page": "Page {page} of {pages}",
  "conversions.newer": "Newer",
  "conversions.older": "Older",
  "conversions.pages": "Pages",
  "conversions.open": "Details",
  "kind.purchase": "Order",
  "kind.sign_up": "Sign-up",
  "kind.lead": "Lead",
  "kind.custom": "Conversion",

  "detail.title": "{kind} {ref}",
  "detail.facts": "What happened",
  "detail.store": "Store",
  "detail.campaign": "Campaign",
  "detail.date": "Date",
  "detail.value": "Order value",
  "detail.refunded": "Refunded",
  "detail.model": "Attribution model",
  "detail.share": "Your share of the credit",
  "detail.commission": "Commission",
  "detail.original": "Before refunds",
  "detail.tier": "Rate tier",
  "detail.tierValue": "Tier {tier}: your sales this period earned you a higher rate",
  "detail.bonus": "Bonus",
  "detail.status": "Status",
  "detail.touches": "Your touches",
  "detail.touchesIntro": "Only your own clicks and codes are shown.",
  "detail.touchClick": "You brought a click through your link {code}",
  "detail.touchClickNoLink": "You brought a click through your link",
  "detail.touchCode": "The customer used your code {code}",
  "detail.touchCodeUnknown": "The customer used one of your discount codes",
  "detail.why": "Why",
  "detail.rule": "Rule: {rule}",
  "detail.ok": "Nothing was taken off this commission.",
  "detail.back": "All conversions",
  "detail.adjustment": "{amount} was taken back from a later payout.",

  "model.last_click": "last click",
  "model.first_click": "first click",
  "model.linear": "linear",
  "model.time_decay": "time decay",
  "model.position_based": "position-based",

  "why.duplicate": "The store had already recorded this conversion, so it was not counted twice.",
  "why.test_order": "The store marked this order as a test order.",
  "why.outside_campaign_dates": "The conversion came outside the campaign's dates.",
  "why.outside_lookback": "Your touch came too long before the conversion: the campaign counts {days} days back.",
  "why.below_minimum_order": "The order was below the campaign's minimum order value of {minimum}.",
  "why.self_referral": "The order was placed with your own email address.",
  "why.bot_click": "The click was flagged as automated traffic.",
  "why.over_budget": "The campaign's budget was used up when this conversion came in.",
  "why.over_budget_currency": "The order was in {currency}, a different currency from the campaign's budget.",
  "why.unknown": "The store's rule {rule} turned this commission down.",
  "why.refundedPartly":
    "The order was refunded on {date}: {refunded} of {total} returned, so your commission went from {original} to {amount}.",
  "why.refundedFully":
    "The order was refunded on {date}: {refunded} of {total} returned, so your commission of {original} was reversed.",
  "why.cancelled": "The order was cancelled on {date}, so your commission of {original} was reversed.",

  "payouts.title": "Payouts",
  "payouts.intro": "Every payout a store has made or is preparing for you.",
  "payouts.none": "No payouts yet.",
  "payouts.created": "Created",
  "payouts.store": "Store",
  "payouts.amount": "Amount",
  "payouts.method": "Method",
  "payouts.status": "Status",
  "payouts.paid": "Paid on",
  "payouts.reference": "Reference",
  "payouts.csv": "Download your earnings (CSV)",
  "payouts.open": "Lines",
  "payout.title": "Payout of {amount}",
  "payout.lines": "What it settled",
  "payout.line": "Line",
  "payout.commissionLine": "Commission for {ref} ({campaign})",
  "payout.adjustmentLine": "Taken back: {reason}",
  "payout.back": "All payouts",

  "settings.title": "Settings",
  "settings.payoutMethod": "Payout method",
  "settings.current": "Current method:",
  "settings.notChosen": "Not chosen: the store pays you by its default method.",
  "settings.paypalCurrent": "PayPal: {email}",
  "settings.stripeReady": "Stripe: ready to receive payouts",
  "settings.stripePending": "Stripe: onboarding not finished",
  "settings.paypalEmail": "PayPal email",
  "settings.usePaypal": "Use PayPal",
  "settings.enterPaypal": "Enter a PayPal email address.",
  "settings.stripeStart": "Get paid with Stripe",
  "settings.stripeContinue": "Continue Stripe onboarding",
  "settings.saved": "Saved.",
  "settings.language": "Language",
  "settings.languageLabel": "Language of the portal",
  "settings.languageSave": "Save language",
  "settings.languageAuto": "As my browser",
  "settings.notifications": "Notifications",
  "settings.notificationsIntro":
    "Choose the emails each store sends you. Payout emails (a payout sent, a payout method missing) are always sent.",
  "settings.notificationsSave": "Save notifications",
  "settings.kind.commission_pending": "A commission earned (or the day's digest)",
  "settings.kind.commission_approved": "A commission approved",
  "settings.kind.commission_reversed": "A commission reversed or reduced",

  "mail.greeting": "Hello {name},",
  "mail.signOff": "— {store}, with Trailmark",
  "mail.portal": "See it in your creator portal: {url}",
  "mail.portalButton": "Open the creator portal",
  "mail.unsubscribe": "Stop these emails",
  "mail.unsubscribeText": "To stop emails like this one from {store}: {url}",
  "mail.commission_pending.subject": "You earned {amount} with {store}",
  "mail.commission_pending.body":
    "An order of {orderTotal} earned you a commission of {amount}. It is pending until {holdUntil}, the end of the store's holding period; it is then approved unless the order is refunded or cancelled.",
  "mail.commission_approved.subject": "Your commission of {amount} is approved",
  "mail.commission_approved.body":
    "Your commission of {amount} from {store} is approved. It will be in your next payout.",
  "mail.commission_paid.subject": "{store} paid you {amount}",
  "mail.commission_paid.body": "{store} sent you a payout of {amount}.",
  "mail.commission_paid.reference": "Payout reference: {reference}",
  "mail.commission_reversed.subject": "A commission from {store} was reversed",
  "mail.commission_reduced.subject": "A commission from {store} was reduced",
  "mail.commission_reversed.body": "Your commission of {previous} was reversed.",
  "mail.commission_reduced.body": "Your commission of {previous} is now {amount}.",
  "mail.commission_digest.subject": "{count} commissions earned with {store} on {day}",
  "mail.commission_digest.body": "You earned {count} more commissions on {day}, {total} in all:",
  "mail.commission_digest.item": "{amount} on an order of {orderTotal}, pending until {holdUntil}",
  "mail.payout_method_missing.subject": "{store} has {amount} waiting for you",
  "mail.payout_method_missing.body":
    "You have {amount} of approved commissions with {store}, but no payout method. Choose one in the portal's Settings so that the store can pay you.",
  "mail.application_approved.subject": "Welcome to {store}'s creator program",
  "mail.application_approved.body":
    "Your application to {store}'s creator program is approved. Your new tracking links and discount codes:",
  "mail.application_rejected.subject": "Your application to {store}'s creator program",
  "mail.application_rejected.body":
    "Thank you for applying to {store}'s creator program. It is not accepting your application.",
  "mail.application_rejected.reason": "The store's reason: {reason}",
  "mail.welcome.subject": "Welcome to {store}'s creator program",
  "mail.welcome.body": "{store} approved you as a creator. Your tracking links and discount codes:",
  "mail.onboarding.link": "{campaign}: {url}",
  "mail.onboarding.code": "{campaign}: {url}, discount code: {code}",
  "mail.onboarding.codePending":
    "{campaign}: {url} (your discount code is being created in the shop: it appears in your portal once it works)",
  "mail.onboarding.signIn":
    "To sign in to your creator portal, enter this email address at {url}: we send you a sign-in link.",

  "unsubscribe.title": "Email preferences",
  "unsubscribe.confirm": 'Stop emails about "{kind}" from {store}?',
  "unsubscribe.button": "Stop these emails",
  "unsubscribe.done":
    'Done: {store} will no longer email you about "{kind}". You can turn it back on in the portal\'s Settings.',
  "unsubscribe.bad": "This unsubscribe link is not valid.",

  "apply.title": "Apply to {store}'s creator program",
  "apply.titleCampaign": "Apply to {store}: {campaign}",
  "apply.intro":
    "Tell {store} about you. If they accept, you receive your tracking link by email, and your discount code in your creator portal.",
  "apply.name": "Your name",
  "apply.email": "Email",
  "apply.profiles": "Your social profiles (one address per line)",
  "apply.audience": "Audience size (followers, subscribers)",
  "apply.country": "Country (two letters, such as FR)",
  "apply.note": "Anything you would like to add",
  "apply.terms": "Program terms",
  "apply.consent": "I have read and accept the program terms",
  "apply.website": "Leave this field empty",
  "apply.submit": "Send my application",
  "apply.sentTitle": "Application sent",
  "apply.sent": "Thank you. {store} will review your application and answer you by email.",
  "apply.approved":
    "Thank you. {store} accepted you: check your email for your link and how to sign in to your creator portal, where your code is.",
  "apply.fixErrors": "Some fields need your attention.",
  "apply.already": "An application from this email address is already waiting for review.",
  "apply.termsChanged": "The program terms changed while you were applying. Read them again and confirm.",
  "apply.consentRequired": "Accept the program terms to apply.",
  "apply.tooMany": "Too many applications were sent from your network. Try again in a while.",
  "apply.noStore": "There is no creator program at this address.",
  "apply.closed": "This campaign takes no applications.",
  "apply.badInput": "The form was not complete. Reload the page and try again.",
} as const;

export type MessageKey = keyof typeof EN;
type Catalog = Record<MessageKey, string>;

const FR: Catalog = {
  "app.name": "Portail créateur Trailmark",
  "nav.label": "Portail",
  "nav.overview": "Vue d'ensemble",
  "nav.links": "Liens et codes",
  "nav.conversions": "Conversions",
  "nav.payouts": "Paiements",
  "nav.settings": "Réglages",
  "nav.signOut": "Se déconnecter",
  "nav.skip": "Aller au contenu",

  "signIn.title": "Connexion",
  "signIn.intro":
    "Saisissez l'adresse e-mail que vos marques connaissent. Nous vous enverrons un lien pour vous connecter.",
  "signIn.email": "E-mail",
  "signIn.send": "Recevoir un lien de connexion",
  "signIn.invalidEmail": "Saisissez une adresse e-mail.",
  "checkEmail.title": "Consultez vos e-mails",
  "checkEmail.body":
    "Si {email} appartient à un créateur, un lien de connexion est en route. Il fonctionne une fois, pendant 15 minutes.",
  "checkEmail.other": "Utiliser une autre adresse",
  "confirm.body": "Continuer vers votre portail créateur Trailmark.",
  "confirm.button": "Se connecter",
  "badLink.title": "Ce lien ne fonctionne pas",
  "badLink.body": "Le lien de connexion a déjà servi ou a expiré. Un lien fonctionne une fois, pendant 15 minutes.",
  "badLink.again": "Envoyer un nouveau lien",
  "message.back": "Retour au portail",
  "error.notFound": "Introuvable",
  "error.noPage": "Cette page n'existe pas.",
  "error.noStore": "Cette boutique n'existe pas.",
  "error.invalidForm": "Formulaire invalide",
  "error.incompleteForm": "Le formulaire était incomplet.",
  "error.formExpired": "Formulaire expiré",
  "error.formExpiredBody": "Le formulaire avait expiré. Revenez en arrière, rechargez la page et réessayez.",
  "error.notAvailable": "Indisponible",
  "error.stripeOff": "Les paiements Stripe ne sont pas configurés.",
  "error.wrong": "Quelque chose ne va pas",
  "error.failed": "Une erreur est survenue",
  "error.tryAgain": "Réessayez dans un instant.",

  "status.pending": "En attente",
  "status.approved": "Validée",
  "status.paid": "Payée",
  "status.reversed": "Annulée",
  "status.rejected": "Refusée",
  "status.over_budget": "Budget dépassé",
  "status.reduced": "Réduite",
  "status.all": "Toutes",
  "payoutStatus.draft": "En préparation",
  "payoutStatus.approved": "Validé",
  "payoutStatus.processing": "En cours d'envoi",
  "payoutStatus.paid": "Payé",
  "payoutStatus.failed": "Échoué",
  "payoutStatus.cancelled": "Annulé",
  "method.stripe": "Stripe",
  "method.paypal": "PayPal",
  "method.manual": "Payé à la main",

  "overview.title": "Vue d'ensemble",
  "overview.introOne":
    "Vos résultats dans 1 boutique. Les montants sont donnés par devise et jamais additionnés entre devises.",
  "overview.intro":
    "Vos résultats dans {count} boutiques. Les montants sont donnés par devise et jamais additionnés entre devises.",
  "overview.noStores": "Aucune boutique ne connaît encore cette adresse.",
  "overview.earnings": "Gains",
  "overview.currency": "Devise",
  "overview.reversedHint": "Annulé : ce que les remboursements et annulations ont repris.",
  "overview.noEarnings": "Pas encore de gains.",
  "overview.nextPayout": "Prochain paiement",
  "overview.nextPayoutDate": "Prochain paiement : {date}.",
  "overview.nextPayoutManual": "Cette boutique paie à la main, quand elle lance ses paiements.",
  "overview.readyAmount": "Prêt à être payé : {amount}.",
  "overview.toReach": "Encore {amount} pour atteindre le paiement minimum de la boutique, {minimum}.",
  "overview.minimumReached": "Le paiement minimum de {minimum} est atteint.",
  "overview.addMethod": "Ajouter un moyen de paiement",
  "overview.addMethodHint": "Vous n'avez pas encore de moyen de paiement pour cette boutique.",
  "overview.method": "Payé par {method}.",
  "overview.activity": "Activité",
  "overview.range": "Période",
  "overview.days": "{days} jours",
  "chart.clicks": "Clics qualifiés",
  "chart.conversions": "Conversions",
  "chart.earnings": "Gains ({currency})",
  "chart.summary": "{label} par jour du {from} au {to} : {total} au total, au plus {max} le {maxDay}.",
  "chart.data": "Les chiffres par jour",
  "chart.day": "Jour",

  "links.title": "Liens et codes",
  "links.intro": "Partagez ces liens et codes. Chaque clic et chaque commande qu'ils apportent vous sont comptés.",
  "links.none": "Pas encore de lien de suivi.",
  "links.campaign": "Campagne",
  "links.store": "Boutique",
  "links.url": "Lien de suivi",
  "links.codes": "Codes promo",
  "links.copy": "Copier",
  "links.copied": "Copié",
  "links.copyLink": "Copier le lien {url}",
  "links.copyCode": "Copier le code {code}",
  "links.qr": "QR code de {url}",
  "links.paused": "En pause",

  "conversions.title": "Conversions",
  "conversions.intro": "Chaque commande et inscription qui vous est attribuée, les plus récentes d'abord.",
  "conversions.filter": "Statut",
  "conversions.apply": "Afficher",
  "conversions.none": "Aucune conversion ici pour l'instant.",
  "conversions.date": "Date",
  "conversions.order": "Commande",
  "conversions.value": "Montant de la commande",
  "conversions.share": "Votre part",
  "conversions.commission": "Commission",
  "conversions.status": "Statut",
  "conversions.countOne": "1 conversion",
  "conversions.count": "{count} conversions",
  "conversions.page": "Page {page} sur {pages}",
  "conversions.newer": "Plus récentes",
  "conversions.older": "Plus anciennes",
  "conversions.pages": "Pages",
  "conversions.open": "Détails",
  "kind.purchase": "Commande",
  "kind.sign_up": "Inscription",
  "kind.lead": "Prospect",
  "kind.custom": "Conversion",

  "detail.title": "{kind} {ref}",
  "detail.facts": "Ce qui s'est passé",
  "detail.store": "Boutique",
  "detail.campaign": "Campagne",
  "detail.date": "Date",
  "detail.value": "Montant de la commande",
  "detail.refunded": "Remboursé",
  "detail.model": "Modèle d'attribution",
  "detail.share": "Votre part du crédit",
  "detail.commission": "Commission",
  "detail.original": "Avant remboursements",
  "detail.tier": "Palier de taux",
  "detail.tierValue": "Palier {tier} : vos ventes de la période vous valent un taux plus élevé",
  "detail.bonus": "Prime",
  "detail.status": "Statut",
  "detail.touches": "Vos contacts",
  "detail.touchesIntro": "Seuls vos propres clics et codes sont affichés.",
  "detail.touchClick": "Vous avez apporté un clic par votre lien {code}",
  "detail.touchClickNoLink": "Vous avez apporté un clic par votre lien",
  "detail.touchCode": "Le client a utilisé votre code {code}",
  "detail.touchCodeUnknown": "Le client a utilisé l'un de vos codes promo",
  "detail.why": "Pourquoi",
  "detail.rule": "Règle : {rule}",
  "detail.ok": "Rien n'a été retiré de cette commission.",
  "detail.back": "Toutes les conversions",
  "detail.adjustment": "{amount} a été repris sur un paiement suivant.",

  "model.last_click": "dernier clic",
  "model.first_click": "premier clic",
  "model.linear": "linéaire",
  "model.time_decay": "dégressif dans le temps",
  "model.position_based": "selon la position",

  "why.duplicate": "La boutique avait déjà enregistré cette conversion : elle n'est pas comptée deux fois.",
  "why.test_order": "La boutique a marqué cette commande comme commande de test.",
  "why.outside_campaign_dates": "La conversion a eu lieu en dehors des dates de la campagne.",
  "why.outside_lookback": "Votre contact était trop ancien : la campagne remonte de {days} jours avant la conversion.",
  "why.below_minimum_order": "La commande était sous le montant minimum de la campagne, {minimum}.",
  "why.self_referral": "La commande a été passée avec votre propre adresse e-mail.",
  "why.bot_click": "Le clic a été identifié comme du trafic automatisé.",
  "why.over_budget": "Le budget de la campagne était épuisé quand cette conversion est arrivée.",
  "why.over_budget_currency": "La commande était en {currency}, une autre devise que celle du budget de la campagne.",
  "why.unknown": "La règle {rule} de la boutique a refusé cette commission.",
  "why.refundedPartly":
    "La commande a été remboursée le {date} : {refunded} sur {total} rendus, votre commission est passée de {original} à {amount}.",
  "why.refundedFully":
    "La commande a été remboursée le {date} : {refunded} sur {total} rendus, votre commission de {original} a été annulée.",
  "why.cancelled": "La commande a été annulée le {date}, votre commission de {original} a été annulée.",

  "payouts.title": "Paiements",
  "payouts.intro": "Chaque paiement qu'une boutique vous a fait ou prépare pour vous.",
  "payouts.none": "Pas encore de paiement.",
  "payouts.created": "Créé le",
  "payouts.store": "Boutique",
  "payouts.amount": "Montant",
  "payouts.method": "Moyen",
  "payouts.status": "Statut",
  "payouts.paid": "Payé le",
  "payouts.reference": "Référence",
  "payouts.csv": "Télécharger vos gains (CSV)",
  "payouts.open": "Lignes",
  "payout.title": "Paiement de {amount}",
  "payout.lines": "Ce qu'il a réglé",
  "payout.line": "Ligne",
  "payout.commissionLine": "Commission pour {ref} ({campaign})",
  "payout.adjustmentLine": "Repris : {reason}",
  "payout.back": "Tous les paiements",

  "settings.title": "Réglages",
  "settings.payoutMethod": "Moyen de paiement",
  "settings.current": "Moyen actuel :",
  "settings.notChosen": "Non choisi : la boutique vous paie par son moyen par défaut.",
  "settings.paypalCurrent": "PayPal : {email}",
  "settings.stripeReady": "Stripe : prêt à recevoir des paiements",
  "settings.stripePending": "Stripe : inscription non terminée",
  "settings.paypalEmail": "E-mail PayPal",
  "settings.usePaypal": "Utiliser PayPal",
  "settings.enterPaypal": "Saisissez une adresse e-mail PayPal.",
  "settings.stripeStart": "Être payé avec Stripe",
  "settings.stripeContinue": "Continuer l'inscription Stripe",
  "settings.saved": "Enregistré.",
  "settings.language": "Langue",
  "settings.languageLabel": "Langue du portail",
  "settings.languageSave": "Enregistrer la langue",
  "settings.languageAuto": "Comme mon navigateur",
  "settings.notifications": "Notifications",
  "settings.notificationsIntro":
    "Choisissez les e-mails que chaque boutique vous envoie. Les e-mails de paiement (un paiement envoyé, un moyen de paiement manquant) sont toujours envoyés.",
  "settings.notificationsSave": "Enregistrer les notifications",
  "settings.kind.commission_pending": "Une commission gagnée (ou le récapitulatif du jour)",
  "settings.kind.commission_approved": "Une commission approuvée",
  "settings.kind.commission_reversed": "Une commission annulée ou réduite",

  "mail.greeting": "Bonjour {name},",
  "mail.signOff": "— {store}, avec Trailmark",
  "mail.portal": "Voir dans votre portail créateur : {url}",
  "mail.portalButton": "Ouvrir le portail créateur",
  "mail.unsubscribe": "Ne plus recevoir ces e-mails",
  "mail.unsubscribeText": "Pour ne plus recevoir d'e-mails comme celui-ci de {store} : {url}",
  "mail.commission_pending.subject": "Vous avez gagné {amount} avec {store}",
  "mail.commission_pending.body":
    "Une commande de {orderTotal} vous a rapporté une commission de {amount}. Elle est en attente jusqu'au {holdUntil}, fin de la période de rétention de la boutique ; elle sera ensuite approuvée sauf si la commande est remboursée ou annulée.",
  "mail.commission_approved.subject": "Votre commission de {amount} est approuvée",
  "mail.commission_approved.body":
    "Votre commission de {amount} chez {store} est approuvée. Elle fera partie de votre prochain paiement.",
  "mail.commission_paid.subject": "{store} vous a payé {amount}",
  "mail.commission_paid.body": "{store} vous a envoyé un paiement de {amount}.",
  "mail.commission_paid.reference": "Référence du paiement : {reference}",
  "mail.commission_reversed.subject": "Une commission de {store} a été annulée",
  "mail.commission_reduced.subject": "Une commission de {store} a été réduite",
  "mail.commission_reversed.body": "Votre commission de {previous} a été annulée.",
  "mail.commission_reduced.body": "Votre commission de {previous} est maintenant de {amount}.",
  "mail.commission_digest.subject": "{count} commissions gagnées avec {store} le {day}",
  "mail.commission_digest.body": "Vous avez gagné {count} commissions de plus le {day}, {total} au total :",
  "mail.commission_digest.item": "{amount} sur une commande de {orderTotal}, en attente jusqu'au {holdUntil}",
  "mail.payout_method_missing.subject": "{store} a {amount} à vous verser",
  "mail.payout_method_missing.body":
    "Vous avez {amount} de commissions approuvées chez {store}, mais aucun moyen de paiement. Choisissez-en un dans les réglages du portail pour que la boutique puisse vous payer.",
  "mail.application_approved.subject": "Bienvenue dans le programme créateurs de {store}",
  "mail.application_approved.body":
    "Votre candidature au programme créateurs de {store} est acceptée. Vos nouveaux liens de suivi et codes de réduction :",
  "mail.application_rejected.subject": "Votre candidature au programme créateurs de {store}",
  "mail.application_rejected.body":
    "Merci d'avoir postulé au programme créateurs de {store}. Votre candidature n'a pas été retenue.",
  "mail.application_rejected.reason": "La raison de la boutique : {reason}",
  "mail.welcome.subject": "Bienvenue dans le programme créateurs de {store}",
  "mail.welcome.body": "{store} vous a accepté comme créateur. Vos liens de suivi et codes de réduction :",
  "mail.onboarding.link": "{campaign} : {url}",
  "mail.onboarding.code": "{campaign} : {url}, code de réduction : {code}",
  "mail.onboarding.codePending":
    "{campaign} : {url} (votre code de réduction est en cours de création dans la boutique : il apparaît dans votre portail dès qu'il fonctionne)",
  "mail.onboarding.signIn":
    "Pour vous connecter à votre portail créateur, saisissez cette adresse e-mail sur {url} : nous vous envoyons un lien de connexion.",

  "unsubscribe.title": "Préférences d'e-mails",
  "unsubscribe.confirm": "Ne plus recevoir d'e-mails « {kind} » de {store} ?",
  "unsubscribe.button": "Ne plus recevoir ces e-mails",
  "unsubscribe.done":
    "C'est fait : {store} ne vous enverra plus d'e-mails « {kind} ». Vous pouvez les réactiver dans les réglages du portail.",
  "unsubscribe.bad": "Ce lien de désinscription n'est pas valide.",

  "apply.title": "Candidater au programme créateurs de {store}",
  "apply.titleCampaign": "Candidater chez {store} : {campaign}",
  "apply.intro":
    "Présentez-vous à {store}. Si votre candidature est acceptée, vous recevez votre lien de suivi par e-mail, et votre code de réduction dans votre portail créateur.",
  "apply.name": "Votre nom",
  "apply.email": "E-mail",
  "apply.profiles": "Vos profils sociaux (une adresse par ligne)",
  "apply.audience": "Taille de votre audience (abonnés)",
  "apply.country": "Pays (deux lettres, par exemple FR)",
  "apply.note": "Ce que vous souhaitez ajouter",
  "apply.terms": "Conditions du programme",
  "apply.consent": "J'ai lu et j'accepte les conditions du programme",
  "apply.website": "Laissez ce champ vide",
  "apply.submit": "Envoyer ma candidature",
  "apply.sentTitle": "Candidature envoyée",
  "apply.sent": "Merci. {store} va étudier votre candidature et vous répondra par e-mail.",
  "apply.approved":
    "Merci. {store} vous a accepté : votre lien et l'accès à votre portail créateur, où se trouve votre code, vous attendent dans vos e-mails.",
  "apply.fixErrors": "Certains champs sont à corriger.",
  "apply.already": "Une candidature de cette adresse e-mail est déjà en attente.",
  "apply.termsChanged": "Les conditions du programme ont changé pendant votre candidature. Relisez-les et confirmez.",
  "apply.consentRequired": "Acceptez les conditions du programme pour candidater.",
  "apply.tooMany": "Trop de candidatures ont été envoyées depuis votre réseau. Réessayez plus tard.",
  "apply.noStore": "Il n'y a pas de programme créateurs à cette adresse.",
  "apply.closed": "Cette campagne ne prend pas de candidatures.",
  "apply.badInput": "Le formulaire était incomplet. Rechargez la page et réessayez.",
};

export const LOCALES = ["en", "fr"] as const;
export type Locale = (typeof LOCALES)[number];
export const CATALOGS: Readonly<Record<Locale, Readonly<Catalog>>> = { en: EN, fr: FR };

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

/** The first supported language of an Accept-Language header, by weight; English when none is. */
export function localeFromAcceptLanguage(header: string | null): Locale {
  if (!header) return "en";
  const ranked = header
    .split(",")
    .map((part, index) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { lang: tag.trim().toLowerCase().split("-")[0] ?? "", q: q === undefined ? 1 : Number(q), index };
    })
    .filter((r) => r.q > 0 && Number.isFinite(r.q))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked.map((r) => r.lang).find(isLocale) ?? "en";
}

export type Params = Record<string, string | number>;

/** Formats for one locale: messages, money (minor units with their currency, always together) and UTC dates. */
export interface Translator {
  locale: Locale;
  t(key: MessageKey, params?: Params): string;
  money(amount: number, currency: string): string;
  /** "3 Dec 2026" / "3 déc. 2026", in UTC. */
  date(d: Date): string;
  /** "3 Dec" / "3 déc.", in UTC. */
  shortDate(d: Date): string;
  number(n: number): string;
  percent(ppm: number): string;
}

const translators = new Map<Locale, Translator>();

export function translator(locale: Locale): Translator {
  const cached = translators.get(locale);
  if (cached) return cached;
  const catalog = CATALOGS[locale];
  const dateFormat = new Intl.DateTimeFormat(locale === "fr" ? "fr-FR" : "en-GB", {
    day: "numeric",
    month: "short",
    year: "numeric",
    timeZone: "UTC",
  });
  const shortFormat = new Intl.DateTimeFormat(locale === "fr" ? "fr-FR" : "en-GB", {
    day: "numeric",
    month: "short",
    timeZone: "UTC",
  });
  const numberFormat = new Intl.NumberFormat(locale === "fr" ? "fr-FR" : "en-US");
  const made: Translator = {
    locale,
    t(key, params) {
      const text = catalog[key];
      if (!params) return text;
      return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
    },
    // French writes the decimal separator as a comma; the digits are the same minor units.
    money: (amount, currency) => formatMoney(amount, currency, locale === "fr" ? "fr-FR" : "en-US"),
    date: (d) => dateFormat.format(d),
    shortDate: (d) => shortFormat.format(d),
    number: (n) => numberFormat.format(n),
    percent(ppm) {
      const value = Math.round(ppm / 100) / 100;
      const text = Number.isInteger(value) ? String(value) : value.toFixed(2).replace(/0$/, "");
      return `${locale === "fr" ? text.replace(".", ",") : text}${locale === "fr" ? " %" : "%"}`;
    },
  };
  translators.set(locale, made);
  return made;
}
