/* placeholder until the module lands: skipped (77) */
int main(void)
{
    return 77;
}
