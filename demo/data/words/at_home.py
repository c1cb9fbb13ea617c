"""What referrers write about harm at home that comes from the adults' own difficulties:
neglect, domestic abuse, and a parent's mental ill health, drinking or drug use. The
placeholders are those of ``demo.data.words``. Everything here is invented."""

from __future__ import annotations

from demo.data.cast import (
    CASTLE_HILL,
    GP,
    HV,
    MILLBROOK,
    NURSING,
    PATHWAYS,
    POLICE,
    PROBATION,
)
from demo.data.words.scenario import Scenario, Text
from referrals.census import ConcernCategory as C
from referrals.models import Outcome as O

AT_HOME: dict[str, Scenario] = {
    "neglect": Scenario(
        weight=26,
        ages=(0, 15),
        siblings=True,
        agencies={MILLBROOK: 4, CASTLE_HILL: 2, HV: 3, GP: 2, NURSING: 2, POLICE: 2, PATHWAYS: 1},
        concerns=(C.NEGLECT,),
        extra={
            C.PARENTAL_MENTAL_HEALTH: 0.15,
            C.PARENTAL_ALCOHOL_MISUSE: 0.1,
            C.PARENTAL_DRUG_MISUSE: 0.08,
        },
        summary="persistent neglect of {name}'s basic care: hunger, hygiene and supervision",
        gist="going without regular meals, clean clothes and an adult who notices",
        worries=(
            Text(
                "{name} has come to school hungry on most days this half-term and has been "
                "taking food from other children's lunchboxes. {name} wears the same uniform "
                "all week, it smells of urine, and other children have started to avoid "
                "{them}. I am worried that {name}'s basic needs are not being met at home and "
                "that this is getting worse, not better.",
                lo=4,
                by=(MILLBROOK, CASTLE_HILL, NURSING),
            ),
            Text(
                "When I visited, the living-room floor was covered in rubbish and dog mess, "
                "there was no food in the fridge apart from milk, and the children's beds had "
                "no sheets. {mother} seemed flat and said she was 'just tired'. I am worried "
                "that {name} is living in conditions that are harmful to {their} health.",
                by=(HV, GP, NURSING, PATHWAYS, PROBATION),
            ),
            Text(
                "Officers carried out a welfare check at 22:40 after neighbours reported "
                "children shouting and no adult answering. {name} opened the door; there was "
                "no adult in the house for another hour, the kitchen had no food and the "
                "electricity meter had run out. I am worried that {name} is left alone and "
                "without basic care.",
                lo=3,
                by=(POLICE,),
            ),
            Text(
                "Officers attending a neighbour dispute found {name} alone in a cot in a cold "
                "flat, in a soiled nappy, with an empty bottle. {mother} came back from a "
                "friend's flat forty minutes later. I am worried that {name} is being left "
                "alone and that {their} basic care is neglected.",
                hi=2,
                by=(POLICE,),
            ),
            Text(
                "{name} has missed three health appointments in a row, including a hearing "
                "test, and has untreated tooth decay that is causing pain. {mother} says she "
                "will book the dentist but has not. I am worried that {name} is in pain and "
                "that {their} health needs are being neglected.",
                lo=2,
                by=(GP, HV, NURSING),
            ),
            Text(
                "{name} is often collected late, sometimes by a sibling aged 11, and last week "
                "nobody came until 5.30pm. {name} has been seen out on the estate after dark "
                "without an adult. I am worried that {name} is not being supervised and could "
                "come to harm.",
                lo=4,
                hi=12,
                by=(MILLBROOK, CASTLE_HILL),
            ),
            Text(
                "{name} has not been brought to the last four baby clinic appointments and "
                "has dropped from the 50th to below the 9th centile for weight. The flat was "
                "cold and there was one tin of formula. I am worried that {name} is not being "
                "fed enough.",
                hi=1,
                by=(HV, GP),
            ),
        ),
        lived=(
            Text(
                "{name} gets up and dressed without help most mornings; breakfast is dry "
                "cereal or nothing.",
                lo=5,
            ),
            Text("The free school meal is often the only hot meal {name} has in a day.", lo=4),
            Text(
                "{name} shares a mattress on the floor with a sibling; there is no bedtime "
                "routine and {name} is often tired and falls asleep in class.",
                lo=4,
            ),
            Text(
                "{name}'s clothes are too small and not washed, and {they} has had head lice "
                "for most of the term.",
                lo=3,
            ),
            Text(
                "At weekends {name} is mostly indoors on a tablet or out on the estate; there "
                "is little sign that an adult plays with {them} or knows where {name} is.",
                lo=5,
            ),
            Text(
                "{name} spends long periods in a car seat or cot in a cold room, with a bottle "
                "propped up rather than being held to feed.",
                hi=1,
            ),
            Text("{name} has bad nappy rash and the nappies are changed infrequently.", hi=2),
        ),
        voices=(
            Text(
                "{name} told me: 'There's no food at home, only sometimes. Mum says we have to "
                "wait for Friday.'"
            ),
            Text(
                "{name} said 'I don't like going home because it's messy and it smells' and "
                "asked whether {they} could stay at after-school club every day."
            ),
            Text(
                "Asked about home, {name} shrugged and said 'it's fine', but later told the "
                "teaching assistant that {their} tummy hurts when there is no tea."
            ),
            Text("{name} said 'I get my little brother ready because mum is asleep.'", lo=7),
        ),
        next_steps=(
            "I think the family need an assessment to understand why things are not improving, "
            "and practical help with food, beds and routines.",
            "I would like a social worker to look at what home is like for {name}; we can "
            "offer breakfast club and uniform straight away.",
            "Early help has been tried twice. I think this now needs a social worker.",
        ),
        outcomes={
            O.NO_FURTHER_ACTION: 12,
            O.SIGNPOST: 10,
            O.EARLY_HELP: 36,
            O.ASSESSMENT_S17: 32,
            O.STRATEGY_S47: 8,
            O.OPEN_CASE: 8,
        },
        signpost="the Family Hub's food bank referral and the holiday activity programme",
    ),
    "domestic_abuse": Scenario(
        weight=18,
        ages=(0, 17),
        siblings=True,
        needs_adult=True,
        immediate=0.04,
        agencies={POLICE: 8, PROBATION: 2, HV: 1, MILLBROOK: 1, GP: 1},
        concerns=(C.DOMESTIC_ABUSE,),
        extra={C.EMOTIONAL_ABUSE: 0.25, C.PARENTAL_ALCOHOL_MISUSE: 0.15},
        summary="domestic abuse in the home that {name} sees and hears",
        gist="living with frightening incidents of violence and control between the adults",
        worries=(
            Text(
                "Police attended at {time} after a 999 call from {mother}. {adult} had been "
                "drinking and had thrown a mug at her; she had a cut to her forehead. {name} "
                "was in the house and officers found {them} hiding upstairs. I am worried that "
                "{name} is living with frightening incidents of domestic abuse.",
                lo=2,
            ),
            Text(
                "A DASH risk assessment was graded {grade} after {adult} pushed {mother} "
                "against a wall and broke her phone so she could not call for help. {name} was "
                "present and tried to pull {adult} away. I am worried about the emotional harm "
                "to {name} and that {name} could be hurt trying to protect {their} mother.",
                lo=6,
            ),
            Text(
                "{mother} told me that {adult} controls the money, checks her phone and has "
                "threatened to take the children if she leaves. She is frightened of him. I am "
                "worried that {name} is growing up in a home where {their} mother is controlled "
                "and afraid."
            ),
            Text(
                "Neighbours called police after hearing shouting and a child screaming. {adult} "
                "had left before officers arrived; {mother} had a swollen eye and would not "
                "make a statement. I am worried about {name}'s safety if {adult} comes back."
            ),
            Text(
                "{mother} was holding {name} when {adult} punched the wall beside her head "
                "during an argument. I am worried that {name} could be injured and that the "
                "incidents are escalating.",
                hi=2,
            ),
        ),
        lived=(
            Text(
                "{name} is often awake late because of arguments, and is tired and jumpy the "
                "next day.",
                lo=3,
            ),
            Text(
                "{name} has started wetting the bed again and does not want to leave {their} "
                "mother's side.",
                lo=3,
                hi=10,
            ),
            Text(
                "{name} hears the arguments through the wall and turns the television up; "
                "{they} says {they} 'knows when dad is in a bad mood'.",
                lo=5,
            ),
            Text(
                "On the mornings after incidents {name} arrives late and quiet and struggles "
                "to concentrate.",
                lo=4,
            ),
            Text("{name} is unsettled, feeds poorly and startles at raised voices.", hi=2),
        ),
        voices=(
            Text(
                "{name} told the officer: 'Daddy was shouting and mummy was crying. I hid under "
                "the bed with my teddy.'",
                lo=3,
                hi=9,
            ),
            Text("{name} said 'I don't want him to come back. I'm scared he'll hurt mum.'"),
            Text(
                "{name} said 'It's not his fault, he's just stressed' and asked officers not to "
                "tell anyone.",
                lo=8,
            ),
            Text(
                "{name} would not talk to officers with {their} mother in the room; the "
                "designated safeguarding lead will speak to {name} at school tomorrow.",
                lo=5,
            ),
        ),
        next_steps=(
            "Support for {mother} from the domestic abuse service and an assessment of the "
            "risk to {name}.",
            "I think the case should go to MARAC and the school should be told so that {name} "
            "has a trusted adult to talk to (Operation Encompass).",
        ),
        outcomes={
            O.NO_FURTHER_ACTION: 14,
            O.SIGNPOST: 14,
            O.EARLY_HELP: 30,
            O.ASSESSMENT_S17: 28,
            O.STRATEGY_S47: 10,
            O.OPEN_CASE: 10,
        },
        consent={"consented": 10, "aware_not_consented": 40, "not_aware": 20, "not_sought": 30},
        signpost="the Northshire domestic abuse helpline and the Freedom Programme",
    ),
    "parental_mental_health": Scenario(
        weight=8,
        ages=(0, 15),
        siblings=True,
        agencies={HV: 3, GP: 3, MILLBROOK: 2, NURSING: 1, CASTLE_HILL: 1},
        concerns=(C.PARENTAL_MENTAL_HEALTH,),
        extra={C.NEGLECT: 0.3, C.EMOTIONAL_ABUSE: 0.08},
        summary="{mother}'s poor mental health and its effect on the care {name} receives",
        gist="caring for, and worrying about, a parent who is unwell",
        worries=(
            Text(
                "{mother} has been very low since {name} was born and told me she has thoughts "
                "of not being here. She is not eating and spends most of the day in bed. I am "
                "worried about who is caring for {name} when she cannot.",
                hi=2,
            ),
            Text(
                "{mother} was detained under the Mental Health Act on Tuesday after a crisis. "
                "{name} was at home with her and was collected by a neighbour. I am worried "
                "about who will care for {name} and about what {name} saw."
            ),
            Text(
                "{mother} has stopped her medication, believes the neighbours are watching the "
                "flat and has kept {name} off school for a week 'to keep {them} safe'. I am "
                "worried that {name} is being drawn into her beliefs and is missing school.",
                lo=5,
            ),
            Text(
                "{name} appears to be caring for {their} mother, who has severe depression: "
                "{name} does the shopping and makes the meals. I am worried that {name} is a "
                "young carer without support and is missing out on being a child.",
                lo=8,
            ),
        ),
        lived=(
            Text(
                "On good days {name} is well cared for; on bad days {name} is left in the cot "
                "or in front of the television for long periods.",
                hi=4,
            ),
            Text(
                "{name} worries about {their} mother all day and asks to phone home at lunchtime.",
                lo=5,
            ),
            Text("{name} has stopped going to football and sees no friends outside school.", lo=7),
            Text("The curtains are kept closed and the flat is quiet; {name} mostly plays alone."),
        ),
        voices=(
            Text(
                "{name} said 'Mum is poorly in her head. I make her tea and toast so she eats "
                "something.'",
                lo=6,
            ),
            Text(
                "{name} said school is good 'because it's normal here' and that {they} gets "
                "scared when mum cries at night.",
                lo=5,
            ),
            Text("{name} told me 'I have to be good so mum doesn't get sad.'", lo=4),
            Text("{name} said 'Mummy is sad and stays in bed' and hugged {their} toy.", lo=3, hi=6),
        ),
        next_steps=(
            "Support for {mother} from adult mental health services, and a young carers "
            "assessment for {name}.",
            "A joined-up plan between the GP, mental health team and school so that {name} is "
            "not left to cope alone.",
        ),
        outcomes={
            O.NO_FURTHER_ACTION: 14,
            O.SIGNPOST: 20,
            O.EARLY_HELP: 34,
            O.ASSESSMENT_S17: 26,
            O.STRATEGY_S47: 4,
            O.OPEN_CASE: 8,
        },
        signpost="Northshire Talking Therapies for {mother} and the young carers service",
    ),
    "parental_alcohol": Scenario(
        weight=6,
        ages=(0, 15),
        siblings=True,
        needs_adult=True,
        agencies={PATHWAYS: 3, POLICE: 2, MILLBROOK: 2, GP: 1, PROBATION: 1},
        concerns=(C.PARENTAL_ALCOHOL_MISUSE,),
        extra={C.NEGLECT: 0.4, C.DOMESTIC_ABUSE: 0.15},
        summary="parental alcohol misuse affecting the supervision and care of {name}",
        gist="care that depends on whether the adults have been drinking",
        worries=(
            Text(
                "{adult} attends our service for alcohol dependency and has relapsed: he says "
                "he is drinking two bottles of wine a day and is the main carer for {name} "
                "while {mother} works nights. I am worried that {name} is being cared for by "
                "someone too drunk to keep {them} safe."
            ),
            Text(
                "{mother} arrived to collect {name} smelling strongly of alcohol and unsteady "
                "on her feet; staff did not let her drive. This is the second time this month. "
                "I am worried about {name}'s safety in the car and at home.",
                lo=2,
            ),
            Text(
                "Police were called to a disturbance; {adult} was heavily intoxicated and "
                "{name} had been left to put a younger sibling to bed. I am worried that "
                "{name}'s care depends on whether the adults have been drinking.",
                lo=7,
            ),
        ),
        lived=(
            Text(
                "Evenings are unpredictable: some nights there is tea and a bath, other nights "
                "nobody is able to look after {name}."
            ),
            Text(
                "{name} has learned to make toast and look after a younger sibling when the "
                "adults have been drinking.",
                lo=7,
            ),
            Text("{name} is late most Mondays and tired after weekends.", lo=4),
        ),
        voices=(
            Text(
                "{name} said 'Dad goes funny when he drinks the smelly drink. I go to my room.'",
                lo=4,
                hi=11,
            ),
            Text(
                "{name} said 'I don't like it when mum falls asleep on the sofa and won't wake up.'"
            ),
            Text(
                "{name} said 'It's only at the weekend' and seemed worried {they} had said too "
                "much.",
                lo=8,
            ),
        ),
        next_steps=(
            "A safety plan so that a sober adult is always caring for {name}, and treatment "
            "for the drinking.",
        ),
        outcomes={
            O.NO_FURTHER_ACTION: 12,
            O.SIGNPOST: 12,
            O.EARLY_HELP: 34,
            O.ASSESSMENT_S17: 32,
            O.STRATEGY_S47: 8,
            O.OPEN_CASE: 8,
        },
        signpost="Pathways' family support group and Al-Anon family groups",
    ),
    "parental_drugs": Scenario(
        weight=6,
        ages=(0, 15),
        siblings=True,
        needs_adult=True,
        agencies={PATHWAYS: 3, PROBATION: 2, POLICE: 2, HV: 1},
        concerns=(C.PARENTAL_DRUG_MISUSE,),
        extra={C.NEGLECT: 0.4},
        summary="parental drug use and what {name} is exposed to at home",
        gist="drugs, needles and unknown adults in the home",
        worries=(
            Text(
                "{adult} told me at his appointment that he has started using heroin again and "
                "that {name} was at home when he used. He keeps his methadone in a kitchen "
                "cupboard {name} can reach. I am worried about {name} finding drugs or needles "
                "and about the care {name} gets when he is under the influence."
            ),
            Text(
                "During a drugs warrant officers found cannabis, scales and cash in the bedroom "
                "{name} shares with {their} parents. Both adults were under the influence. I am "
                "worried about what {name} is exposed to and about the people who come to the "
                "house."
            ),
            Text(
                "{mother} is on a methadone prescription and has missed her last three "
                "pick-ups; her key worker thinks she is using on top. She is the only carer "
                "for {name}. I am worried about the care {name} receives."
            ),
        ),
        lived=(
            Text("Adults {name} does not know come and go from the flat at all hours."),
            Text(
                "{name} has been found playing with a lighter and foil from the kitchen.",
                lo=2,
                hi=8,
            ),
            Text(
                "{name} is often late and says {they} has been 'waiting for mum to wake up'.", lo=4
            ),
        ),
        voices=(
            Text("{name} said 'Dad has his medicine and then he's sleepy all day.'", lo=4, hi=11),
            Text("{name} said 'I'm not allowed to say who comes round.'", lo=6),
            Text("{name} said {they} likes it best at nan's house 'because it's calm'.", lo=3),
        ),
        next_steps=(
            "Safe storage of medication checked today, and an assessment of the care "
            "{name} receives.",
        ),
        outcomes={
            O.NO_FURTHER_ACTION: 8,
            O.SIGNPOST: 8,
            O.EARLY_HELP: 30,
            O.ASSESSMENT_S17: 35,
            O.STRATEGY_S47: 12,
            O.OPEN_CASE: 10,
        },
        consent={"consented": 30, "aware_not_consented": 30, "not_aware": 20, "not_sought": 20},
    ),
}
