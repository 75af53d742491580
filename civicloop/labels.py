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
    "Postponed from {old} to the date below.": "Reportée du {old} à la date ci-dessous.",
    "Postponed: the new date is not known yet.": (
        "Reportée : la nouvelle date n'est pas encore connue."
    ),
    "Case study": "Étude de cas",
    "Closes": "Ferme",
    "Committee": "Comité",
    "Committees": "Comités",
    "Country": "Pays",
    "Date": "Date",
    "Documents": "Documents",
    "Goals": "Objectifs",
    "How members are chosen": "Comment les membres sont choisis",
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
    "Role": "Rôle",
    "Sample data: this committee, its sessions and polls are invented for demonstration.": (
        "Données d'exemple : ce comité, ses séances et ses sondages sont inventés "
        "pour la démonstration."
    ),
    "Seats": "Sièges",
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
    "{count} people answered.": "{count} personnes ont répondu.",
    "Full results": "Résultats complets",
    "Closed": "Clos",
    "Respondents": "Répondants",
    "No poll has closed yet.": "Aucun sondage n'est encore clos.",
    "Poll results": "Résultats des sondages",
    "Answer in the civicloop bot on Telegram.": "Répondez dans le bot civicloop sur Telegram.",
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
}
ENGLISH = {
    "political-task-committee": "political task committee",
    "deliberative-committee": "deliberative committee",
    "citizens-assembly": "citizens' assembly",
    "drawn-by-lot": "drawn by lot",
    "ex-officio": "ex officio",
    "rating": "rating from 1 to 5",
    "single": "single choice",
    "multiple": "multiple choice",
}
LABELS: dict[str, dict[str, str]] = {"en": ENGLISH, "fr": FRENCH}


def translator(lang: str) -> Callable[..., str]:
    """`t("Agenda")` in `lang`; English text is the key, so a missing label still reads."""
    table = LABELS.get(lang, {})

    def t(text: str, **values: str) -> str:
        return table.get(text, text).format(**values) if values else table.get(text, text)

    return t
