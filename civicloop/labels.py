"""The words generated pages use, per language; content itself is translated in `*.fr.md` files."""

from __future__ import annotations

from collections.abc import Callable

FRENCH = {
    "Add this session to my calendar": "Ajouter cette séance à mon agenda",
    "Agenda": "Ordre du jour",
    "All sessions": "Toutes les séances",
    "Calendar app": "Application d'agenda",
    "Download (.ics)": "Télécharger (.ics)",
    "Subscribe and your calendar app shows every change (a new time, a cancellation); a download "
    "is a copy that does not change.": (
        "Abonnez-vous et votre application d'agenda montre chaque changement (un nouvel horaire, "
        "une annulation) ; un téléchargement est une copie qui ne change pas."
    ),
    "This session is cancelled.": "Cette séance est annulée.",
    "Postponed: first planned for {old}.": "Reportée : d'abord prévue le {old}.",
    "Map (OpenStreetMap)": "Carte (OpenStreetMap)",
    "No replay of this webinar is published.": "Aucun enregistrement de ce webinaire n'est publié.",
    "sample data": "données d'exemple",
    "Postponed from {old} to the date below.": "Reportée du {old} à la date ci-dessous.",
    "Postponed from {old}.": "Reportée du {old}.",
    "[Sample]": "[Exemple]",
    "{name}: {title}": "{name} : {title}",
    "Agenda: {items}.": "Ordre du jour : {items}.",
    "News and results": "Actualités et résultats",
    "Postponed: the new date is not known yet.": (
        "Reportée : la nouvelle date n'est pas encore connue."
    ),
    "{day}, time not published": "{day}, heure non publiée",
    "Date not known": "Date inconnue",
    "Date not known: between {first} and {last}": "Date inconnue : entre le {first} et le {last}",
    "Case study": "Étude de cas",
    "Closes": "Ferme",
    "Committee": "Comité",
    "Committees": "Comités",
    "Country": "Pays",
    "Date": "Date",
    "Documents": "Documents",
    "Goals": "Objectifs",
    "Latest webinars": "Derniers webinaires",
    "Mandate": "Mandat",
    "Members": "Membres",
    "minutes": "minutes",
    "Next sessions": "Prochaines séances",
    "No upcoming session.": "Aucune séance à venir.",
    "Online": "En ligne",
    "Opens": "Ouvre",
    "Outcomes": "Résultats",
    "Past sessions": "Séances passées",
    "Place": "Lieu",
    "Play the video": "Lire la vidéo",
    "Playing loads the video from {host}.": "La lecture charge la vidéo depuis {host}.",
    "Open it on {host} instead": "L'ouvrir plutôt sur {host}",
    "Polls": "Sondages",
    "Presented by": "Présenté par",
    "Process": "Processus",
    "Question": "Question",
    "Related case studies": "Études de cas liées",
    "Replay": "Rediffusion",
    "Sample data: this committee, its sessions and polls are invented for demonstration.": (
        "Données d'exemple : ce comité, ses séances et ses sondages sont inventés "
        "pour la démonstration."
    ),
    "Selection": "Sélection",
    "Session": "Séance",
    "Sessions": "Séances",
    "Sources": "Sources",
    "Speakers": "Intervenants",
    "Status": "Statut",
    "Subscribe to the calendar": "S'abonner à l'agenda",
    "Tags": "Étiquettes",
    "Time zone": "Fuseau horaire",
    "Transcript": "Transcription",
    "Upcoming sessions": "Séances à venir",
    "Webinar": "Webinaire",
    "When": "Quand",
    "Years": "Années",
    "Options": "Options",
    "Poll open from {opened} to {closed}.": "Sondage ouvert du {opened} au {closed}.",
    "Option": "Option",
    "Answers": "Réponses",
    "Share": "Part",
    "Fewer than 5 people answered: the figures are not published.": (
        "Moins de 5 personnes ont répondu : les chiffres ne sont pas publiés."
    ),
    "Everyone who answered, committee members among them, chose the same option: the figures "
    "are not published, as they would tell how each member answered.": (
        "Toutes les personnes qui ont répondu, dont des membres du comité, ont choisi la même "
        "option : les chiffres ne sont pas publiés, car ils diraient comment chaque membre a "
        "répondu."
    ),
    "{count} people answered.": "{count} personnes ont répondu.",
    "Full results": "Résultats complets",
    "Closed": "Clos",
    "Respondents": "Répondants",
    "No poll has closed yet.": "Aucun sondage n'est encore clos.",
    "Poll results": "Résultats des sondages",
    "Answer in the civicloop bot on Telegram.": "Répondez dans le bot civicloop sur Telegram.",
    # the selection record of a draw
    "How the members were drawn": "Comment les membres ont été tirés au sort",
    "Not drawn yet: the commitment is published before the public random value exists.": (
        "Pas encore tiré : l'engagement est publié avant que la valeur aléatoire publique existe."
    ),
    "{seats} members and {spare} substitutes drawn by lot among {pool} volunteers.": (
        "{seats} membres et {spare} suppléants tirés au sort parmi {pool} volontaires."
    ),
    "Quotas and what the panel achieved": "Quotas et composition obtenue",
    "Criterion": "Critère",
    "Category": "Catégorie",
    "Volunteers": "Volontaires",
    "Quota": "Quota",
    "Substitutes": "Suppléants",
    "fewer than 5": "moins de 5",
    "Chances of selection": "Chances d'être tiré au sort",
    "Lowest {low}, median {median}, highest {high}.": (
        "La plus basse {low}, la médiane {median}, la plus haute {high}."
    ),
    "Chance": "Chance",
    "Bar chart of the volunteers by chance of selection; the table gives the same figures": (
        "Histogramme des volontaires par chance d'être tirés ; le tableau donne les mêmes chiffres"
    ),
    "Check the draw": "Vérifier le tirage",
    "Commitment": "Engagement",
    "{panels} possible panels on {tickets} tickets; panels' hash {hash}; pool's hash {pool}.": (
        "{panels} panels possibles sur {tickets} tickets ; empreinte des panels {hash} ; "
        "empreinte du vivier {pool}."
    ),
    "Public random value": "Valeur aléatoire publique",
    "{value} (canonical form {canonical}), drawn on {date}: ticket {ticket}.": (
        "{value} (forme canonique {canonical}), tirée le {date} : ticket {ticket}."
    ),
    "Announced source": "Source annoncée",
    "Anyone can check the draw from these files:": (
        "Chacun peut vérifier le tirage à partir de ces fichiers :"
    ),
    "Who sits": "Qui siège",
    "Pseudonym": "Pseudonyme",
    "Since": "Depuis",
    "Left": "Parti le",
    "Replaced by": "Remplacé par",
    "Substitutes, in their order": "Suppléants, dans leur ordre",
    # a draw's algorithm, explained
    "maximin": (
        "Algorithme : maximin (Flanigan et al., 2021), qui rend les volontaires les moins "
        "susceptibles d'être tirés aussi susceptibles que possible de l'être, tandis que chaque "
        "panel possible respecte les quotas."
    ),
    "nash": (
        "Algorithme : bien-être de Nash maximal (Flanigan et al., 2021), qui équilibre les "
        "chances de tous les volontaires, tandis que chaque panel possible respecte les quotas."
    ),
    "legacy": (
        "Algorithme : l'ancien algorithme glouton, qui tire une personne à la fois dans les "
        "limites des quotas."
    ),
    # a committee's members
    "Members drawn by lot": "Membres tirés au sort",
    "The public": "Le public",
    "Citizen members": "Membres citoyens",
    "Politicians": "Élus",
    "Other members": "Autres membres",
    "Member": "Membre",
    "How chosen": "Mode de désignation",
    "1 seat": "1 siège",
    "{count} seats": "{count} sièges",
    "Members drawn by lot are published by pseudonym only.": (
        "Les membres tirés au sort ne sont publiés que sous un pseudonyme."
    ),
    "On {date}, {substitute} stepped in for {member}.": (
        "Le {date}, {substitute} a remplacé {member}."
    ),
    "How the appointed members were chosen": "Comment les membres nommés ont été choisis",
    "How many applied: {value}": "Nombre de candidatures : {value}",
    "Who decided: {value}": "Qui a décidé : {value}",
    "When it was decided: {value}": "Date de la décision : {value}",
    "not published": "non publié",
    "not known": "non connu",
    "Follow on Telegram": "Suivre sur Telegram",
    "QR code of {url}": "Code QR de {url}",
    "Scan it to open the bot on Telegram: {url}": (
        "Scannez-le pour ouvrir le bot sur Telegram : {url}"
    ),
    # the footer of every page (civicloop/organisation.py)
    "About this site": "À propos de ce site",
    "Contact": "Contact",
    "Contact:": "Contact :",
    "Take part": "Participer",
    "Calendars": "Agendas",
    "All sessions (.ics)": "Toutes les séances (.ics)",
    "News feed (Atom)": "Fil d'actualités (Atom)",
    "Open data": "Données ouvertes",
    "Accessibility": "Accessibilité",
    "Privacy": "Confidentialité",
    # the home page, "Take part", the accessibility statement, the open data
    "How to take part": "Comment participer",
    "Follow a committee on Telegram: the bot reminds you of its sessions, tells you when one "
    "changes and asks you its polls.": (
        "Suivez un comité sur Telegram : le bot vous rappelle ses séances, vous prévient quand "
        "l'une d'elles change et vous pose ses sondages."
    ),
    "Add the sessions to your calendar app: it shows every change.": (
        "Ajoutez les séances à votre application d'agenda : elle en montre chaque changement."
    ),
    "All the ways to take part": "Toutes les façons de participer",
    "Next session:": "Prochaine séance :",
    "Follow a committee": "Suivre un comité",
    "The Telegram bot reminds you of a committee's sessions, tells you when one changes or is "
    "cancelled, and asks you its polls. Open it, choose your language and the committees to "
    "follow; send /stop to stop, /forget to erase what it holds about you.": (
        "Le bot Telegram vous rappelle les séances d'un comité, vous prévient quand l'une "
        "d'elles change ou est annulée, et vous pose ses sondages. Ouvrez-le, choisissez votre "
        "langue et les comités à suivre ; envoyez /stop pour arrêter, /forget pour effacer ce "
        "qu'il garde de vous."
    ),
    "The committees:": "Les comités :",
    "A question, or something to tell a committee? Write to us:": (
        "Une question, ou quelque chose à dire à un comité ? Écrivez-nous :"
    ),
    "Answer polls": "Répondre aux sondages",
    "Committees ask residents' views between sessions. A poll's question and options are on its "
    "session's page; you answer in the Telegram bot, which publishes only totals, and only when "
    "at least 5 people answered.": (
        "Les comités demandent l'avis des habitants entre les séances. La question et les "
        "options d'un sondage sont sur la page de sa séance ; vous répondez dans le bot "
        "Telegram, qui ne publie que des totaux, et seulement quand au moins 5 personnes ont "
        "répondu."
    ),
    "Feedback and contact": "Retours et contact",
    "If you meet a barrier on this site, or need a page in another format, tell us: say which "
    "page and what stood in your way.": (
        "Si un obstacle vous gêne sur ce site, ou s'il vous faut une page dans un autre format, "
        "dites-le-nous : indiquez quelle page et ce qui vous a gêné."
    ),
    "Preparation of this statement": "Établissement de cette déclaration",
    "This statement was prepared on {prepared} and last reviewed on {reviewed}.": (
        "Cette déclaration a été établie le {prepared} et revue pour la dernière fois le "
        "{reviewed}."
    ),
    "Files": "Fichiers",
    "File": "Fichier",
    "What it holds": "Contenu",
    "Schema": "Schéma",
    "JSON Schema": "Schéma JSON",
    "Each committee: its question, status, members and languages.": (
        "Chaque comité : sa question, son statut, ses membres et ses langues."
    ),
    "Each session: when and where, its status and agenda.": (
        "Chaque séance : quand et où, son statut et son ordre du jour."
    ),
    "Each poll: its question, options, opening and closing.": (
        "Chaque sondage : sa question, ses options, son ouverture et sa clôture."
    ),
    "Each draw by lot: its commitment, public random value and result.": (
        "Chaque tirage au sort : son engagement, sa valeur aléatoire publique et son résultat."
    ),
    "Every session, as iCalendar (RFC 5545); each committee has its own beside its page.": (
        "Toutes les séances, en iCalendar (RFC 5545) ; chaque comité a le sien à côté de sa page."
    ),
    "What is new or changed on the site, as an Atom feed.": (
        "Ce qui est nouveau ou a changé sur le site, en fil Atom."
    ),
    # values of front-matter fields
    "political-task-committee": "comité politique thématique",
    "deliberative-committee": "commission délibérative",
    "citizens-assembly": "assemblée citoyenne",
    "other": "autre",
    "planned": "prévu",
    "active": "en cours",
    "concluded": "terminé",
    "scheduled": "prévue",
    "held": "tenue",
    "postponed": "reportée",
    "cancelled": "annulée",
    "citizen": "citoyen·ne",
    "politician": "élu·e",
    "expert": "expert·e",
    "facilitator": "animateur·rice",
    "substitute": "suppléant·e",
    "appointed": "nommé·e",
    "drawn-by-lot": "tiré·e au sort",
    "elected": "élu·e",
    "ex-officio": "d'office",
    "single": "choix unique",
    "multiple": "choix multiple",
    "rating": "note de 1 à 5",
    # recommendations and their response
    "Sample data: this recommendation is invented for demonstration.": (
        "Données d'exemple : cette recommandation est inventée pour la démonstration."
    ),
    "Recommendation": "Recommandation",
    "Recommendations": "Recommandations",
    "computed on {date}, when the site was built": "calculé le {date}, à la construction du site",
    "Computed on {date}, when the site was built.": (
        "Calculé le {date}, à la construction du site."
    ),
    "Text as adopted": "Texte adopté",
    "The wording as adopted is not known here; see the sources.": (
        "Le texte adopté n'est pas connu ici ; voir les sources."
    ),
    "In the original language ({language}):": "Dans la langue d'origine ({language}) :",
    "Vote": "Vote",
    "Group": "Groupe",
    "For": "Pour",
    "Against": "Contre",
    "Abstained": "Abstentions",
    "citizen members": "membres citoyen·nes",
    "politicians": "élu·es",
    "How each group voted is not known.": "Le vote de chaque groupe n'est pas connu.",
    "Adopted at:": "Adoptée lors de :",
    "Adopted at: {session}": "Adoptée lors de : {session}",
    "Response": "Réponse",
    "Owed by": "Réponse due par",
    "Response due": "Réponse attendue le",
    "Published": "Publiée le",
    "the official document": "le document officiel",
    "the official document's address is not known": (
        "l'adresse du document officiel n'est pas connue"
    ),
    "No response has been published yet.": "Aucune réponse n'a encore été publiée.",
    "Rate the response": "Noter la réponse",
    "How do you rate the response to: {title}?": (
        "Quelle note donnez-vous à la réponse à : {title} ?"
    ),
    "The results of the rating": "Les résultats de l'évaluation",
    "Results stay hidden until the rating closes.": (
        "Les résultats restent cachés jusqu'à la clôture de la notation."
    ),
    "Timeline": "Chronologie",
    "evidence": "preuve",
    "Status on this site: {status}": "Statut sur ce site : {status}",
    "Response published": "Réponse publiée",
    "By status": "Par statut",
    "By committee": "Par comité",
    "All committees": "Tous les comités",
    "Filter": "Filtrer",
    "all": "tous",
    "No recommendation yet.": "Aucune recommandation pour l'instant.",
    "Responses overdue: {count}": "Réponses en retard : {count}",
    "Follow each recommendation": "Suivre chaque recommandation",
    "withdrawn": "retirée",
    "answered": "réponse publiée",
    "answered on {date}": "réponse publiée le {date}",
    "no response deadline published": "aucun délai de réponse publié",
    "response due today": "réponse attendue aujourd'hui",
    "response due in 1 day": "réponse attendue dans 1 jour",
    "response due in {days} days": "réponse attendue dans {days} jours",
    "response overdue by 1 day": "réponse en retard de 1 jour",
    "response overdue by {days} days": "réponse en retard de {days} jours",
    "awaiting-response": "réponse attendue",
    "accepted": "acceptée",
    "partly-accepted": "acceptée en partie",
    "rejected": "rejetée",
    "in-progress": "en cours de mise en œuvre",
    "implemented": "mise en œuvre",
    "not-implemented": "non mise en œuvre",
}
ENGLISH = {
    "awaiting-response": "awaiting response",
    "partly-accepted": "partly accepted",
    "in-progress": "in progress",
    "not-implemented": "not implemented",
    "political-task-committee": "political task committee",
    "deliberative-committee": "deliberative committee",
    "citizens-assembly": "citizens' assembly",
    "drawn-by-lot": "drawn by lot",
    "ex-officio": "ex officio",
    "rating": "rating from 1 to 5",
    "single": "single choice",
    "multiple": "multiple choice",
    # a draw's algorithm, explained
    "maximin": (
        "Algorithm: maximin (Flanigan et al., 2021), which makes the least likely volunteers as "
        "likely as possible to be drawn, while every possible panel meets the quotas."
    ),
    "nash": (
        "Algorithm: maximum Nash welfare (Flanigan et al., 2021), which balances all volunteers' "
        "chances, while every possible panel meets the quotas."
    ),
    "legacy": "Algorithm: the older greedy one, drawing one person at a time within the quotas.",
}
LABELS: dict[str, dict[str, str]] = {"en": ENGLISH, "fr": FRENCH}


def translator(lang: str) -> Callable[..., str]:
    """`t("Agenda")` in `lang`; English text is the key, so a missing label still reads."""
    table = LABELS.get(lang, {})

    def t(text: str, **values: object) -> str:
        return table.get(text, text).format(**values) if values else table.get(text, text)

    return t
