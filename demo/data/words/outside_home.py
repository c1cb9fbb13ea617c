"""What referrers write about harm that reaches a child outside the home, or from within:
sexual and criminal exploitation, going missing, self-harm and radicalisation. The
placeholders are those of ``demo.data.words``. Everything here is invented."""

from __future__ import annotations

from demo.data.cast import (
    CASTLE_HILL,
    GP,
    NURSING,
    POLICE,
    YJS,
)
from demo.data.words.scenario import Scenario, Text
from referrals.census import ConcernCategory as C
from referrals.models import Outcome as O

OUTSIDE_HOME: dict[str, Scenario] = {
    "cse": Scenario(
        weight=4,
        ages=(12, 17),
        female=0.8,
        immediate=0.1,
        agencies={POLICE: 3, CASTLE_HILL: 2, NURSING: 2, YJS: 1},
        concerns=(C.CHILD_SEXUAL_EXPLOITATION,),
        extra={C.GOING_MISSING: 0.6},
        summary="signs that {name} is being groomed and sexually exploited",
        gist="being controlled by older adults and going missing",
        worries=(
            Text(
                "{name} has been seen getting into cars with older men outside school several "
                "times and has a new phone and clothes the family cannot explain. {name} has "
                "been missing overnight twice this month. I am worried that {name} is being "
                "sexually exploited."
            ),
            Text(
                "{name} has been messaged on social media by a man in his twenties who has "
                "asked for pictures and sent {them} money. {name} thinks he is {their} "
                "boyfriend. I am worried that {name} is being groomed."
            ),
            Text(
                "Officers found {name} at 3am at an address known for parties where adults "
                "give young people alcohol and drugs. {name} was drunk and would not say how "
                "{they} got there. I am worried that {name} is being sexually exploited."
            ),
        ),
        lived=(
            Text("{name} is tired and withdrawn and has stopped seeing friends {their} own age."),
            Text(
                "{name} misses lessons, is always on {their} phone and is anxious when it buzzes."
            ),
            Text(
                "There are constant rows at home about curfew, and {name} climbs out of the "
                "window at night."
            ),
        ),
        voices=(
            Text("{name} said 'He's my boyfriend, he looks after me. You don't get it.'"),
            Text("{name} said 'I just want to be somewhere people want me.'"),
            Text("{name} did not want to talk and said 'you'll just tell my mum'."),
        ),
        next_steps=("A strategy discussion and referral to the exploitation panel.",),
        outcomes={O.EARLY_HELP: 8, O.ASSESSMENT_S17: 30, O.STRATEGY_S47: 50, O.OPEN_CASE: 12},
        consent={"aware_not_consented": 30, "not_aware": 30, "not_sought": 40},
    ),
    "cce": Scenario(
        weight=4,
        ages=(12, 17),
        female=0.15,
        agencies={POLICE: 3, YJS: 3, CASTLE_HILL: 2},
        concerns=(C.CHILD_CRIMINAL_EXPLOITATION,),
        extra={C.GOING_MISSING: 0.5},
        summary="signs that {name} is being criminally exploited to carry and sell drugs",
        gist="owing money to, and being afraid of, the people who use {them}",
        worries=(
            Text(
                "{name} was arrested in Lowmoor, forty miles away, with wraps of crack cocaine "
                "hidden on {them} and £300 in cash. {name} had not been reported missing. I am "
                "worried that {name} is being exploited to sell drugs ('county lines')."
            ),
            Text(
                "{name} has a second phone, new trainers and injuries {they} will not explain, "
                "and older young people wait for {them} outside school. I am worried that "
                "{name} is being groomed into selling drugs."
            ),
            Text(
                "{name}'s mother found a knife in {their} bag; {name} said it was 'for "
                "protection'. {name} owes money to someone {they} will not name. I am worried "
                "that {name} is being criminally exploited and is at risk of serious harm."
            ),
        ),
        lived=(
            Text("{name} is out most nights and sleeps through the day."),
            Text("{name} has stopped going to school and jumps when {their} phone rings."),
            Text("{name}'s younger siblings have been told to say {name} is 'at a mate's'."),
        ),
        voices=(
            Text("{name} said 'If I stop they'll come to the house.'"),
            Text("{name} said 'I'm not a grass' and would not say any more."),
            Text("{name} said 'It's easy money, nobody's making me' but looked frightened."),
        ),
        next_steps=(
            "A strategy discussion, the exploitation panel and a National Referral "
            "Mechanism referral.",
        ),
        outcomes={O.EARLY_HELP: 8, O.ASSESSMENT_S17: 32, O.STRATEGY_S47: 45, O.OPEN_CASE: 15},
        consent={"consented": 20, "aware_not_consented": 40, "not_sought": 40},
    ),
    "missing": Scenario(
        weight=4,
        ages=(11, 17),
        agencies={POLICE: 5, CASTLE_HILL: 1, YJS: 1},
        concerns=(C.GOING_MISSING,),
        extra={C.CHILD_SEXUAL_EXPLOITATION: 0.12, C.CHILD_CRIMINAL_EXPLOITATION: 0.12},
        summary="repeated missing episodes without a clear explanation",
        gist="going missing and not being able to say where {name} has been",
        worries=(
            Text(
                "{name} was reported missing by {their} mother at 22:00 and found by officers at "
                "04:30 in the town centre with older young people. This is the {nth} missing "
                "episode this year. I am worried about where {name} goes and who with."
            ),
            Text(
                "{name} did not come home after school and was found the next afternoon at a "
                "friend's house; {name} would not say where {they} had been overnight. I am "
                "worried that {name} is at risk of exploitation."
            ),
        ),
        lived=(
            Text("{name} has been to three return home interviews and has not engaged with any."),
            Text("Home is tense; {name} and {their} mother argue about where {they} goes."),
        ),
        voices=(
            Text("{name} said 'I just go out because home is stressful.'"),
            Text("{name} said 'I'm fine, everyone's overreacting.'"),
        ),
        next_steps=("A return home interview and a plan with the family about going missing.",),
        outcomes={
            O.NO_FURTHER_ACTION: 16,
            O.SIGNPOST: 10,
            O.EARLY_HELP: 35,
            O.ASSESSMENT_S17: 30,
            O.STRATEGY_S47: 5,
            O.OPEN_CASE: 10,
        },
        signpost="the missing-from-home support worker and a youth club",
    ),
    "self_harm": Scenario(
        weight=5,
        ages=(11, 17),
        female=0.7,
        agencies={NURSING: 3, GP: 2, CASTLE_HILL: 2},
        concerns=(C.SELF_HARM,),
        extra={C.EMOTIONAL_ABUSE: 0.25},
        summary="{name}'s self-harm and what lies behind it",
        gist="hurting {them}self to cope with how {name} feels",
        worries=(
            Text(
                "{name} showed the school nurse cuts to {their} forearms, some fresh, and said "
                "the cutting has happened most nights for two months. {name} sometimes thinks "
                "everyone would be better off without {them}. I am worried about {name}'s "
                "safety, and {their} parents do not know."
            ),
            Text(
                "{name} attended A&E after taking an overdose of paracetamol; {name} says it "
                "was 'to make everything stop'. I am worried about what is happening that has "
                "led {name} to this."
            ),
            Text(
                "{name} told me about self-harm that started when arguments at home got worse; "
                "{name} says {their} stepfather calls it 'attention seeking'. I am worried "
                "about {name}'s safety and about home."
            ),
        ),
        lived=(
            Text("{name} wears long sleeves in all weather and has stopped doing PE."),
            Text("{name} spends most evenings alone in {their} room and barely sleeps."),
        ),
        voices=(
            Text("{name} said 'It's the only thing that helps. Please don't tell my mum.'"),
            Text("{name} said 'I don't want to die, I just want it to stop.'"),
            Text("{name} said {they} would like to talk to someone 'who isn't family'."),
        ),
        next_steps=("Urgent CAMHS involvement and a safety plan agreed with {name}.",),
        outcomes={
            O.NO_FURTHER_ACTION: 12,
            O.SIGNPOST: 30,
            O.EARLY_HELP: 28,
            O.ASSESSMENT_S17: 24,
            O.STRATEGY_S47: 6,
            O.OPEN_CASE: 6,
        },
        consent={"consented": 40, "aware_not_consented": 20, "not_aware": 20, "not_sought": 20},
        signpost="CAMHS single point of access and Kooth online counselling",
    ),
    "radicalisation": Scenario(
        weight=1,
        ages=(13, 17),
        female=0.1,
        agencies={CASTLE_HILL: 3, POLICE: 1, YJS: 1},
        concerns=(C.RADICALISATION,),
        summary="{name} being drawn into extremist views online",
        gist="spending hours a day in online spaces that promote hatred",
        worries=(
            Text(
                "{name} has been sharing extreme right-wing videos in a class group chat and "
                "told another pupil that people like them 'should be sent back'. {name} has a "
                "new online group of older friends. I am worried that {name} is being drawn "
                "into extremism."
            ),
            Text(
                "{name}'s phone holds material from an extremist forum and messages from an "
                "adult encouraging {them} to 'do something'. I am worried that {name} is being "
                "groomed towards violence."
            ),
        ),
        lived=(Text("{name} is isolated at school and spends most nights gaming and on forums."),),
        voices=(
            Text("{name} said 'I'm just saying what everyone thinks.'"),
            Text("{name} said the people online 'actually listen to me'."),
        ),
        next_steps=("A Prevent referral and a mentor for {name}.",),
        outcomes={O.SIGNPOST: 25, O.EARLY_HELP: 35, O.ASSESSMENT_S17: 30, O.STRATEGY_S47: 10},
        signpost="Prevent and the Channel panel",
    ),
}
